"""The scikit-learn flavor (`mlflow.sklearn` equivalent): save, log and load estimators.

Serialized with skops by default (a safe format: loading runs no arbitrary code), or with
pickle / cloudpickle. The MLmodel entry uses MLflow's keys, so files cross both ways.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.flavor_support import download_flavor, pyfunc_data, save_flavor
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.serialization import (
    FILE_NAMES,
    SERIALIZATION_FORMAT_CLOUDPICKLE,
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_SKOPS,
    SUPPORTED_SERIALIZATION_FORMATS,
    check_serialization_format,
    deserialize,
    serialize,
    serializer_package,
)
from mltrail.models.signature import ModelSignature

FLAVOR_NAME = "sklearn"
__all__ = [
    "FLAVOR_NAME",
    "SERIALIZATION_FORMAT_CLOUDPICKLE",
    "SERIALIZATION_FORMAT_PICKLE",
    "SERIALIZATION_FORMAT_SKOPS",
    "SUPPORTED_SERIALIZATION_FORMATS",
    "autolog",
    "load_model",
    "log_model",
    "save_model",
]


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
    check_serialization_format(serialization_format)
    if not hasattr(sk_model, pyfunc_predict_fn):
        raise InvalidParameter(f"The model has no method {pyfunc_predict_fn!r} to predict with")
    import sklearn

    file_name = FILE_NAMES[serialization_format]

    def write(local: str) -> dict[str, Any]:
        serialize(sk_model, os.path.join(local, file_name), serialization_format)
        return {
            "pickled_model": file_name,
            "sklearn_version": sklearn.__version__,
            "serialization_format": serialization_format,
            "skops_trusted_types": list(skops_trusted_types) if skops_trusted_types else None,
        }

    save_flavor(
        path,
        mlflow_model,
        flavor_name=FLAVOR_NAME,
        loader_module="mlflow.sklearn",
        write=write,
        pyfunc_fields={"model_path": file_name, "predict_fn": pyfunc_predict_fn},
        code_paths=code_paths,
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
    packages = ["scikit-learn", "numpy", "scipy", serializer_package(serialization_format)]
    return [environment.pinned(p) for p in packages if p]


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
    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return _load(os.path.join(local, conf["pickled_model"]), conf)


def _load(source: str, conf: Mapping[str, Any]) -> Any:
    return deserialize(source, conf.get("serialization_format"), conf.get("skops_trusted_types"))


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
    source, conf = pyfunc_data(path, FLAVOR_NAME, data_key="pickled_model")
    return _SklearnPyfunc(_load(source, conf))


def autolog(*args: Any, **kwargs: Any) -> None:
    """Log scikit-learn training automatically (MLflow's options; see docs/autolog.md)."""
    from mltrail.autolog import sklearn as sklearn_autolog

    sklearn_autolog.autolog(*args, **kwargs)
