"""The scikit-learn flavor (`mlflow.sklearn` equivalent): save, log and load estimators.

Serialized with skops by default (a safe format: loading runs no arbitrary code), or with
pickle / cloudpickle. The MLmodel entry uses MLflow's keys, so files cross both ways.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.saving import (
    copy_code_paths,
    finish_model_dir,
    model_for,
    new_model_dir,
    pyfunc_flavor_entry,
)
from mltrail.models.signature import ModelSignature

FLAVOR_NAME = "sklearn"
SERIALIZATION_FORMAT_SKOPS = "skops"
SERIALIZATION_FORMAT_PICKLE = "pickle"
SERIALIZATION_FORMAT_CLOUDPICKLE = "cloudpickle"
SUPPORTED_SERIALIZATION_FORMATS = (
    SERIALIZATION_FORMAT_SKOPS,
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_CLOUDPICKLE,
)
_FILE_NAMES = {"skops": "model.skops", "pickle": "model.pkl", "cloudpickle": "model.pkl"}
_SERIALIZER_PACKAGES = {"skops": "skops", "pickle": None, "cloudpickle": "cloudpickle"}
_log = logging.getLogger(__name__)


def save_model(
    sk_model: Any,
    path: str | os.PathLike[str],
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    mlflow_model: Model | None = None,
    serialization_format: str = SERIALIZATION_FORMAT_SKOPS,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    pyfunc_predict_fn: str = "predict",
    metadata: Mapping[str, Any] | None = None,
    skops_trusted_types: Sequence[str] | None = None,
) -> None:
    """Save an estimator to a local directory in MLflow's sklearn format."""
    if serialization_format not in SUPPORTED_SERIALIZATION_FORMATS:
        raise InvalidParameter(
            f"Unrecognized serialization format: {serialization_format}. Please specify one "
            f"of the following supported formats: {list(SUPPORTED_SERIALIZATION_FORMATS)}."
        )
    if not hasattr(sk_model, pyfunc_predict_fn):
        raise InvalidParameter(f"The model has no method {pyfunc_predict_fn!r} to predict with")
    import sklearn

    model = model_for(mlflow_model)
    file_name = _FILE_NAMES[serialization_format]
    with new_model_dir(path) as local:
        code = copy_code_paths(local, code_paths)
        _serialize(sk_model, os.path.join(local, file_name), serialization_format)
        model.add_flavor(
            "python_function",
            **pyfunc_flavor_entry(
                "mlflow.sklearn", model_path=file_name, predict_fn=pyfunc_predict_fn, code=code
            ),
        )
        model.add_flavor(
            FLAVOR_NAME,
            pickled_model=file_name,
            sklearn_version=sklearn.__version__,
            serialization_format=serialization_format,
            code=code,
            skops_trusted_types=list(skops_trusted_types) if skops_trusted_types else None,
        )
        finish_model_dir(
            local,
            model,
            signature=signature,
            input_example=input_example,
            metadata=metadata,
            default_requirements=_requirements(serialization_format),
            pip_requirements=pip_requirements,
            extra_pip_requirements=extra_pip_requirements,
            conda_env=conda_env,
            predict=lambda data, _params: getattr(sk_model, pyfunc_predict_fn)(data),
        )


def _requirements(serialization_format: str) -> list[str]:
    packages = ["scikit-learn", "numpy", "scipy", _SERIALIZER_PACKAGES[serialization_format]]
    return [environment.pinned(p) for p in packages if p]


def _serialize(sk_model: Any, target: str, serialization_format: str) -> None:
    if serialization_format == SERIALIZATION_FORMAT_SKOPS:
        import skops.io  # type: ignore[import-untyped]

        skops.io.dump(sk_model, target)
        return
    if serialization_format == SERIALIZATION_FORMAT_PICKLE:
        with open(target, "wb") as out:
            pickle.dump(sk_model, out)
        return
    import cloudpickle

    with open(target, "wb") as out:
        cloudpickle.dump(sk_model, out)


def _deserialize(
    source: str, serialization_format: str, trusted_types: Sequence[str] | None
) -> Any:
    if serialization_format == SERIALIZATION_FORMAT_SKOPS:
        import skops.io

        # Types the file needs beyond skops' defaults must be trusted explicitly when saving.
        return skops.io.load(source, trusted=list(trusted_types or ()) or None)
    with open(source, "rb") as stream:
        if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
            import cloudpickle

            return cloudpickle.load(stream)
        return pickle.load(stream)


def log_model(
    sk_model: Any,
    artifact_path: str | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    serialization_format: str = SERIALIZATION_FORMAT_SKOPS,
    registered_model_name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    pyfunc_predict_fn: str = "predict",
    metadata: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    name: str | None = None,
    skops_trusted_types: Sequence[str] | None = None,
) -> ModelInfo:
    """Log an estimator as an MLflow 3 LoggedModel (of the active run, if any)."""
    return log_saved_model(
        save_model,
        name=name,
        artifact_path=artifact_path,
        registered_model_name=registered_model_name,
        await_registration_for=await_registration_for,
        params=params,
        tags=tags,
        model_type=model_type,
        step=step,
        model_id=model_id,
        sk_model=sk_model,
        conda_env=conda_env,
        code_paths=code_paths,
        serialization_format=serialization_format,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        pyfunc_predict_fn=pyfunc_predict_fn,
        metadata=metadata,
        skops_trusted_types=skops_trusted_types,
    )


def load_model(model_uri: str, dst_path: str | None = None) -> Any:
    """The estimator saved at `model_uri` (any model URI)."""
    from mltrail.models.uris import download_model
    from mltrail.pyfunc.loading import add_code_to_path

    local = download_model(str(model_uri), dst_path)
    conf = Model.load(local).flavors.get(FLAVOR_NAME)
    if conf is None:
        raise InvalidParameter(f"The model at {model_uri} has no '{FLAVOR_NAME}' flavor")
    add_code_to_path(local, conf)
    return _deserialize(
        os.path.join(local, conf["pickled_model"]),
        conf.get("serialization_format", SERIALIZATION_FORMAT_CLOUDPICKLE),
        conf.get("skops_trusted_types"),
    )


class _SklearnPyfunc:
    """The pyfunc view of an estimator: `predict` calls the configured method."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.estimator.predict(data)

    def predict_proba(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.estimator.predict_proba(data)

    def predict_log_proba(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.estimator.predict_log_proba(data)

    def decision_function(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.estimator.decision_function(data)

    def score(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.estimator.score(data)

    def get_raw_model(self) -> Any:
        return self.estimator


def _load_pyfunc(path: str, model_config: Any = None) -> _SklearnPyfunc:
    """Loader for the `python_function` flavor; `path` is the serialized estimator file."""
    model_dir = os.path.dirname(path) if os.path.isfile(path) else path
    conf = Model.load(model_dir).flavors.get(FLAVOR_NAME, {})
    source = path if os.path.isfile(path) else os.path.join(path, conf["pickled_model"])
    estimator = _deserialize(
        source,
        conf.get("serialization_format", SERIALIZATION_FORMAT_CLOUDPICKLE),
        conf.get("skops_trusted_types"),
    )
    return _SklearnPyfunc(estimator)
