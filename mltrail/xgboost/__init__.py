"""The XGBoost flavor (`mlflow.xgboost` equivalent): save, log and load Boosters and the
scikit-learn-API estimators (XGBClassifier, XGBRegressor...).

Models are stored with XGBoost's own `save_model` (ubj by default, json or the legacy xgb
binary), never pickled, so loading runs no arbitrary code. The MLmodel entry uses MLflow's
keys (`data`, `model_class`, `model_format`, `xgb_version`), so files cross both ways.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.flavor_support import (
    class_path,
    download_flavor,
    import_class,
    pyfunc_data,
    save_flavor,
)
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.signature import ModelSignature

FLAVOR_NAME = "xgboost"
MODEL_FORMATS = ("ubj", "json", "xgb")
_BOOSTER_CLASS = "xgboost.core.Booster"


def get_default_pip_requirements() -> list[str]:
    return environment.requirements_for_modules(["xgboost"])


def save_model(
    xgb_model: Any,
    path: str | os.PathLike[str],
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    mlflow_model: Model | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    model_format: str = "ubj",
    metadata: Mapping[str, Any] | None = None,
    extra_files: Sequence[str] | None = None,
    **kwargs: Any,
) -> None:
    """Save a Booster or an XGBoost scikit-learn estimator in MLflow's xgboost format.

    `kwargs` go to the model's own `save_model`.
    """
    if model_format not in MODEL_FORMATS:
        raise InvalidParameter(
            f"Unsupported XGBoost model_format {model_format!r}; use one of {list(MODEL_FORMATS)}"
        )
    if not hasattr(xgb_model, "save_model") or not type(xgb_model).__module__.startswith("xgboost"):
        raise InvalidParameter(
            f"Expected an xgboost Booster or scikit-learn-API model, got {type(xgb_model)}"
        )
    import xgboost

    file_name = f"model.{model_format}"

    def write(local: str) -> dict[str, Any]:
        xgb_model.save_model(os.path.join(local, file_name), **kwargs)
        return {
            "data": file_name,
            "model_class": class_path(xgb_model),
            "model_format": model_format,
            "xgb_version": xgboost.__version__,
        }

    save_flavor(
        path,
        mlflow_model,
        flavor_name=FLAVOR_NAME,
        loader_module="mlflow.xgboost",
        write=write,
        pyfunc_fields={"data": file_name},
        code_paths=code_paths,
        extra_files=extra_files,
        signature=signature,
        input_example=input_example,
        metadata=metadata,
        default_requirements=_requirements(xgb_model),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
        predict=lambda data, params: _XGBModelWrapper(xgb_model).predict(data, params),
    )


def _requirements(xgb_model: Any) -> list[str]:
    modules = ["xgboost", "numpy", "scipy", "pandas"]
    if _is_sklearn_api(xgb_model):
        modules.append("sklearn")
    return environment.requirements_for_modules(modules)


def _is_sklearn_api(xgb_model: Any) -> bool:
    return class_path(xgb_model) != _BOOSTER_CLASS


def log_model(
    xgb_model: Any,
    artifact_path: str | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    registered_model_name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    model_format: str = "ubj",
    metadata: Mapping[str, Any] | None = None,
    extra_files: Sequence[str] | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log an XGBoost model as an MLflow 3 LoggedModel (of the active run, if any)."""
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
        xgb_model=xgb_model,
        conda_env=conda_env,
        code_paths=code_paths,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        model_format=model_format,
        metadata=metadata,
        extra_files=extra_files,
        **kwargs,
    )


def load_model(model_uri: str, dst_path: str | None = None) -> Any:
    """The Booster or estimator saved at `model_uri` (any model URI)."""
    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return _load(os.path.join(local, conf.get("data", "model.xgb")), conf)


def _load(source: str, conf: Mapping[str, Any]) -> Any:
    # Files from MLflow releases before `model_class` was recorded hold a plain Booster.
    cls = import_class(str(conf.get("model_class", _BOOSTER_CLASS)), ("xgboost.",))
    model = cls()
    model.load_model(source)
    return model


class _XGBModelWrapper:
    """The pyfunc view: Boosters predict on a DMatrix, estimators on the data as given.

    Params declared in the signature are passed to `predict` as keyword arguments.
    """

    def __init__(self, xgb_model: Any) -> None:
        self.xgb_model = xgb_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        if _is_sklearn_api(self.xgb_model):
            return self.xgb_model.predict(data, **(params or {}))
        import xgboost

        return self.xgb_model.predict(xgboost.DMatrix(data), **(params or {}))

    def predict_proba(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return self.xgb_model.predict_proba(data, **(params or {}))

    def get_raw_model(self) -> Any:
        return self.xgb_model


def _load_pyfunc(path: str, model_config: Any = None) -> _XGBModelWrapper:
    """Loader for the `python_function` flavor; `path` is the saved model file."""
    source, conf = pyfunc_data(path, FLAVOR_NAME)
    return _XGBModelWrapper(_load(source, conf))


def autolog(*args: Any, **kwargs: Any) -> None:
    """Log XGBoost training automatically (MLflow's options; see docs/autolog.md)."""
    from mltrail.autolog import xgboost as integration

    integration.autolog(*args, **kwargs)
