"""The TensorFlow flavor (`mlflow.tensorflow` equivalent): save, log and load Keras models
(`tf.keras` is Keras 3) and TensorFlow 2 modules (`tf.Module`, as SavedModels).

Files as MLflow writes them. A Keras model: `data/model.keras`, `data/keras_module.txt`,
`data/save_format.txt` and, with `custom_objects`, `data/custom_objects.cloudpickle`
(`model_type: keras`). A module: a SavedModel in `tf2model/` (`model_type: tf2-module`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.flavor_support import download_flavor, pyfunc_data, save_flavor
from mltrail.models.keras_support import KerasPyfunc, SavedModelPyfunc, load_keras, save_keras
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.signature import ModelSignature

FLAVOR_NAME = "tensorflow"
DATA_DIR = "data"
TF2_MODULE_DIR = "tf2model"
MODEL_TYPE_KERAS = "keras"
MODEL_TYPE_TF2_MODULE = "tf2-module"
KERAS_MODULE = "tensorflow.keras"
SAVE_FORMAT = "tf"
SAVE_FORMAT_FILE = "save_format.txt"
CUSTOM_OBJECTS_FILE = "custom_objects.cloudpickle"

__all__ = [
    "FLAVOR_NAME",
    "autolog",
    "get_default_pip_requirements",
    "load_model",
    "log_model",
    "save_model",
]


def get_default_pip_requirements(include_cloudpickle: bool = False) -> list[str]:
    modules = ["tensorflow", "cloudpickle"] if include_cloudpickle else ["tensorflow"]
    return environment.requirements_for_modules(modules)


def save_model(
    model: Any,
    path: str | os.PathLike[str],
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    mlflow_model: Model | None = None,
    custom_objects: Mapping[str, Any] | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    saved_model_kwargs: Mapping[str, Any] | None = None,
    keras_model_kwargs: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    extra_files: Sequence[str] | None = None,
) -> None:
    """Save a Keras model or a `tf.Module` to a local directory in MLflow's tensorflow format."""
    import keras
    import tensorflow as tf

    is_keras = isinstance(model, keras.Model)
    if not is_keras and not isinstance(model, tf.Module):
        raise TypeError(f"Expected a Keras model or a tf.Module, got {type(model)}")

    def write(local: str) -> dict[str, Any]:
        if not is_keras:
            tf.saved_model.save(
                model, os.path.join(local, TF2_MODULE_DIR), **dict(saved_model_kwargs or {})
            )
            return {"saved_model_dir": TF2_MODULE_DIR, "model_type": MODEL_TYPE_TF2_MODULE}
        data_dir = os.path.join(local, DATA_DIR)
        save_keras(model, data_dir, KERAS_MODULE, keras_model_kwargs)
        with open(os.path.join(data_dir, SAVE_FORMAT_FILE), "w") as out:
            out.write(SAVE_FORMAT)
        if custom_objects is not None:
            import cloudpickle

            with open(os.path.join(data_dir, CUSTOM_OBJECTS_FILE), "wb") as stream:
                cloudpickle.dump(dict(custom_objects), stream)
        return {
            "data": DATA_DIR,
            "keras_version": tf.__version__,
            "model_type": MODEL_TYPE_KERAS,
            "save_format": SAVE_FORMAT,
        }

    save_flavor(
        path,
        mlflow_model,
        flavor_name=FLAVOR_NAME,
        loader_module="mlflow.tensorflow",
        write=write,
        pyfunc_fields=lambda fields: {"data": fields["data"]} if "data" in fields else {},
        code_paths=code_paths,
        extra_files=extra_files,
        signature=signature,
        input_example=input_example,
        metadata=metadata,
        default_requirements=get_default_pip_requirements(custom_objects is not None),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
        predict=lambda data, _params: _pyfunc_of(model, is_keras).predict(data),
    )


def _pyfunc_of(model: Any, is_keras: bool) -> KerasPyfunc | SavedModelPyfunc:
    return KerasPyfunc(model) if is_keras else SavedModelPyfunc(model)


def log_model(
    model: Any,
    artifact_path: str | None = None,
    custom_objects: Mapping[str, Any] | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    registered_model_name: str | None = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    saved_model_kwargs: Mapping[str, Any] | None = None,
    keras_model_kwargs: Mapping[str, Any] | None = None,
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
    """Log a Keras model or `tf.Module` as an MLflow 3 LoggedModel (of the active run).

    `kwargs` are accepted for MLflow compatibility and unused.
    """
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
        custom_objects=custom_objects,
        conda_env=conda_env,
        code_paths=code_paths,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        saved_model_kwargs=saved_model_kwargs,
        keras_model_kwargs=keras_model_kwargs,
        metadata=metadata,
        extra_files=extra_files,
    )


def load_model(
    model_uri: str,
    dst_path: str | None = None,
    saved_model_kwargs: Mapping[str, Any] | None = None,
    keras_model_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """The Keras model or TensorFlow module saved at `model_uri` (any model URI)."""
    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return _load(local, conf, saved_model_kwargs, keras_model_kwargs)


def _load(
    local: str,
    conf: Mapping[str, Any],
    saved_model_kwargs: Mapping[str, Any] | None = None,
    keras_model_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    model_type = conf.get("model_type")
    if model_type == MODEL_TYPE_TF2_MODULE:
        import tensorflow as tf

        source = os.path.join(local, str(conf.get("saved_model_dir", TF2_MODULE_DIR)))
        return tf.saved_model.load(source, **dict(saved_model_kwargs or {}))
    if model_type not in (MODEL_TYPE_KERAS, None):
        raise InvalidParameter(
            f"TensorFlow models of type {model_type!r} (TF1 estimators) are not supported; "
            f"mltrail loads {MODEL_TYPE_KERAS!r} and {MODEL_TYPE_TF2_MODULE!r} models"
        )
    data_dir = os.path.join(local, str(conf.get("data", DATA_DIR)))
    return load_keras(data_dir, _custom_objects(data_dir), keras_model_kwargs)


def _custom_objects(data_dir: str) -> dict[str, Any] | None:
    source = os.path.join(data_dir, CUSTOM_OBJECTS_FILE)
    if not os.path.isfile(source):
        return None
    import cloudpickle

    with open(source, "rb") as stream:
        loaded: dict[str, Any] = cloudpickle.load(stream)
    return loaded


def _load_pyfunc(path: str, model_config: Any = None) -> KerasPyfunc | SavedModelPyfunc:
    """Loader for the `python_function` flavor; `path` is `data/` or the model directory."""
    model_dir = path if os.path.isfile(os.path.join(path, "MLmodel")) else os.path.dirname(path)
    _, conf = pyfunc_data(model_dir, FLAVOR_NAME)
    return _pyfunc_of(_load(model_dir, conf), conf.get("model_type") != MODEL_TYPE_TF2_MODULE)


def autolog(*args: Any, **kwargs: Any) -> None:
    """Log TensorFlow's Keras training automatically (MLflow's options; see docs/autolog.md)."""
    from mltrail.autolog import keras as integration

    integration.autolog(*args, **kwargs)
