"""The Keras 3 flavor (`mlflow.keras` equivalent): save, log and load Keras models on any
backend (tensorflow, torch, jax).

Files as MLflow writes them: `data/model.keras` (or, with `save_exported_model=True`, an
inference-only TensorFlow SavedModel in `data/model/`) and `data/keras_module.txt`. The
MLmodel entry records the backend and Keras version with MLflow's keys.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.flavor_support import download_flavor, pyfunc_data, save_flavor
from mltrail.models.keras_support import (
    KerasPyfunc,
    SavedModelPyfunc,
    export_saved_model,
    load_exported,
    load_keras,
    save_keras,
)
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.pip_pins import installable_requirements
from mltrail.models.signature import ModelSignature

FLAVOR_NAME = "keras"
DATA_DIR = "data"
_BACKEND_MODULES = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}

__all__ = [
    "FLAVOR_NAME",
    "autolog",
    "get_default_pip_requirements",
    "load_model",
    "log_model",
    "save_model",
]


def get_default_pip_requirements() -> list[str]:
    """keras and the package of the active backend, pinned to the installed versions."""
    import keras

    modules = ["keras", _BACKEND_MODULES.get(keras.backend.backend(), "numpy")]
    return installable_requirements(modules)


def save_model(
    model: Any,
    path: str | os.PathLike[str],
    save_exported_model: bool = False,
    conda_env: Any = None,
    mlflow_model: Model | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    save_model_kwargs: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """Save a Keras 3 model to a local directory in MLflow's keras format."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"Argument 'model' should be a keras.Model, got {type(model)}")
    if save_exported_model and signature is None:
        raise InvalidParameter(
            "`signature` cannot be None when `save_exported_model=True`: the exported "
            "SavedModel's serving signature is built from it."
        )

    def write(local: str) -> dict[str, Any]:
        data_dir = os.path.join(local, DATA_DIR)
        if save_exported_model:
            export_saved_model(model, data_dir, "keras")
        else:
            save_keras(model, data_dir, "keras", save_model_kwargs)
        return {
            "data": DATA_DIR,
            "keras_backend": keras.backend.backend(),
            "keras_version": keras.__version__,
            "save_exported_model": save_exported_model,
        }

    save_flavor(
        path,
        mlflow_model,
        flavor_name=FLAVOR_NAME,
        loader_module="mlflow.keras",
        write=write,
        pyfunc_fields={},
        signature=signature,
        input_example=input_example,
        metadata=metadata,
        default_requirements=get_default_pip_requirements(),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
        predict=lambda data, _params: KerasPyfunc(model).predict(data),
    )


def log_model(
    model: Any,
    artifact_path: str | None = None,
    save_exported_model: bool = False,
    conda_env: Any = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    registered_model_name: str | None = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    save_model_kwargs: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
) -> ModelInfo:
    """Log a Keras 3 model as an MLflow 3 LoggedModel (of the active run, if any)."""
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
        model=model,
        save_exported_model=save_exported_model,
        conda_env=conda_env,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        save_model_kwargs=save_model_kwargs,
        metadata=metadata,
    )


def load_model(
    model_uri: str,
    dst_path: str | None = None,
    custom_objects: Mapping[str, Any] | None = None,
    load_model_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """The Keras model saved at `model_uri` (an exported model loads as its SavedModel)."""
    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return _load(
        os.path.join(local, str(conf.get("data", DATA_DIR))),
        conf,
        custom_objects,
        load_model_kwargs,
    )


def _load(
    data_dir: str,
    conf: Mapping[str, Any],
    custom_objects: Mapping[str, Any] | None = None,
    load_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    if conf.get("save_exported_model"):
        return load_exported(data_dir)
    return load_keras(data_dir, custom_objects, load_kwargs)


def _load_pyfunc(path: str, model_config: Any = None) -> KerasPyfunc | SavedModelPyfunc:
    """Loader for the `python_function` flavor; `path` is the model directory."""
    data_dir, conf = pyfunc_data(path, FLAVOR_NAME)
    loaded = _load(data_dir, conf)
    return SavedModelPyfunc(loaded) if conf.get("save_exported_model") else KerasPyfunc(loaded)


def autolog(*args: Any, **kwargs: Any) -> None:
    """Log Keras training automatically (MLflow's options; see docs/autolog.md)."""
    from mltrail.autolog import keras as integration

    integration.autolog(*args, **kwargs)
