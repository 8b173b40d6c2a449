"""The LightGBM flavor (`mlflow.lightgbm` equivalent): save, log and load Boosters and the
scikit-learn-API estimators (LGBMClassifier, LGBMRegressor, LGBMRanker).

A Booster is stored as LightGBM's text model (`model.lgb`); an estimator is serialized like
the sklearn flavor's models (skops by default, pickle or cloudpickle). The MLmodel entry uses
MLflow's keys (`data`, `model_class`, `lgb_version`, `serialization_format`,
`skops_trusted_types`), so files cross both ways.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment, serialization
from mltrail.models.flavor_support import (
    class_path,
    download_flavor,
    pyfunc_data,
    save_flavor,
)
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.signature import ModelSignature

FLAVOR_NAME = "lightgbm"
BOOSTER_FILE = "model.lgb"
_BOOSTER_CLASS = "lightgbm.basic.Booster"
# What a LightGBM estimator's skops file holds beyond skops' own trusted defaults.
_SKOPS_TRUSTED_TYPES = (
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.LGBMRegressor",
    "collections.OrderedDict",
    "lightgbm.sklearn.LGBMClassifier",
)


def get_default_pip_requirements(
    include_cloudpickle: bool = False, include_skops: bool = False
) -> list[str]:
    extras = ["cloudpickle"] * include_cloudpickle + ["skops"] * include_skops
    return [*environment.requirements_for_modules(["lightgbm"]), *map(environment.pinned, extras)]


def save_model(
    lgb_model: Any,
    path: str | os.PathLike[str],
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    mlflow_model: Model | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    serialization_format: str | None = None,
    skops_trusted_types: Sequence[str] | None = None,
    extra_files: Sequence[str] | None = None,
    **kwargs: Any,
) -> None:
    """Save a LightGBM Booster or estimator in MLflow's lightgbm format.

    `kwargs` go to `Booster.save_model` (estimators are serialized whole).
    """
    fmt = serialization_format or serialization.SERIALIZATION_FORMAT_SKOPS
    serialization.check_serialization_format(fmt)
    if not type(lgb_model).__module__.startswith("lightgbm"):
        raise InvalidParameter(
            f"Expected a lightgbm Booster or scikit-learn-API model, got {type(lgb_model)}"
        )
    import lightgbm

    booster = class_path(lgb_model) == _BOOSTER_CLASS
    file_name = BOOSTER_FILE if booster else serialization.FILE_NAMES[fmt]
    skops = fmt == serialization.SERIALIZATION_FORMAT_SKOPS
    trusted = [*_SKOPS_TRUSTED_TYPES, *(skops_trusted_types or ())] if skops else None

    def write(local: str) -> dict[str, Any]:
        target = os.path.join(local, file_name)
        if booster:
            lgb_model.save_model(target, **kwargs)
        else:
            serialization.serialize(lgb_model, target, fmt)
        return {
            "data": file_name,
            "lgb_version": lightgbm.__version__,
            "model_class": class_path(lgb_model),
            "serialization_format": fmt,
            "skops_trusted_types": trusted
            if fmt == serialization.SERIALIZATION_FORMAT_SKOPS
            else None,
        }

    save_flavor(
        path,
        mlflow_model,
        flavor_name=FLAVOR_NAME,
        loader_module="mlflow.lightgbm",
        write=write,
        pyfunc_fields={"data": file_name},
        code_paths=code_paths,
        extra_files=extra_files,
        signature=signature,
        input_example=input_example,
        metadata=metadata,
        default_requirements=_requirements(booster, fmt),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
        predict=lambda data, params: _LGBModelWrapper(lgb_model).predict(data, params),
    )


def _requirements(booster: bool, fmt: str) -> list[str]:
    modules = ["lightgbm", "numpy", "scipy", "pandas"]
    if not booster:
        modules.append("sklearn")
    found = environment.requirements_for_modules(modules)
    package = serialization.serializer_package(fmt)
    return found if booster or package is None else [*found, environment.pinned(package)]


def log_model(
    lgb_model: Any,
    artifact_path: str | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    registered_model_name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    extra_files: Sequence[str] | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    serialization_format: str | None = None,
    skops_trusted_types: Sequence[str] | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log a LightGBM model as an MLflow 3 LoggedModel (of the active run, if any)."""
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
        lgb_model=lgb_model,
        conda_env=conda_env,
        code_paths=code_paths,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        extra_files=extra_files,
        serialization_format=serialization_format,
        skops_trusted_types=skops_trusted_types,
        **kwargs,
    )


def load_model(model_uri: str, dst_path: str | None = None) -> Any:
    """The Booster or estimator saved at `model_uri` (any model URI)."""
    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return _load(os.path.join(local, conf.get("data", BOOSTER_FILE)), conf)


def _load(source: str, conf: Mapping[str, Any]) -> Any:
    # Files from MLflow releases before `model_class` was recorded hold a text Booster.
    if conf.get("model_class", _BOOSTER_CLASS) == _BOOSTER_CLASS:
        import lightgbm

        return lightgbm.Booster(model_file=source)
    return serialization.deserialize(
        source, conf.get("serialization_format"), conf.get("skops_trusted_types")
    )


class _LGBModelWrapper:
    """The pyfunc view; params declared in the signature go to `predict` as keywords."""

    def __init__(self, lgb_model: Any) -> None:
        self.lgb_model = lgb_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.lgb_model.predict(data, **(params or {}))

    def predict_proba(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.lgb_model.predict_proba(data, **(params or {}))

    def get_raw_model(self) -> Any:
        return self.lgb_model


def _load_pyfunc(path: str, model_config: Any = None) -> _LGBModelWrapper:
    """Loader for the `python_function` flavor; `path` is the saved model file."""
    source, conf = pyfunc_data(path, FLAVOR_NAME)
    return _LGBModelWrapper(_load(source, conf))


def autolog(*args: Any, **kwargs: Any) -> None:
    """Log LightGBM training automatically (MLflow's options; see docs/autolog.md)."""
    from mltrail.autolog import lightgbm as integration

    integration.autolog(*args, **kwargs)
