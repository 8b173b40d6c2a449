"""Keras 3 models on disk and behind pyfunc: what the keras and tensorflow flavors share.

Files (MLflow's names, inside the flavor's `data/` directory): `model.keras` (the native Keras
format; `model.h5` from older saves also loads), `keras_module.txt` naming the Keras module,
and `model/` for a model exported as a TensorFlow SavedModel.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from mltrail.errors import NotFound
from mltrail.models.tensor_io import input_arrays, output_like

KERAS_FILE = "model.keras"
LEGACY_H5_FILE = "model.h5"
EXPORTED_DIR = "model"
KERAS_MODULE_FILE = "keras_module.txt"


def save_keras(
    model: Any, data_dir: str, keras_module: str, save_kwargs: Mapping[str, Any] | None
) -> None:
    """`model` as `data_dir`/model.keras, with the module name MLflow records beside it."""
    os.makedirs(data_dir, exist_ok=True)
    model.save(os.path.join(data_dir, KERAS_FILE), **dict(save_kwargs or {}))
    _write_module_name(data_dir, keras_module)


def export_saved_model(model: Any, data_dir: str, keras_module: str) -> None:
    """`model` exported for inference as a SavedModel in `data_dir`/model."""
    os.makedirs(data_dir, exist_ok=True)
    model.export(os.path.join(data_dir, EXPORTED_DIR), verbose=False)
    _write_module_name(data_dir, keras_module)


def _write_module_name(data_dir: str, keras_module: str) -> None:
    with open(os.path.join(data_dir, KERAS_MODULE_FILE), "w") as out:
        out.write(keras_module)


def load_keras(
    data_dir: str,
    custom_objects: Mapping[str, Any] | None = None,
    load_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """The Keras model saved in `data_dir` (`.keras` or legacy `.h5`)."""
    import keras

    for name in (KERAS_FILE, LEGACY_H5_FILE):
        source = os.path.join(data_dir, name)
        if os.path.isfile(source):
            return keras.saving.load_model(
                source, custom_objects=dict(custom_objects or {}) or None, **dict(load_kwargs or {})
            )
    raise NotFound(
        f"No {KERAS_FILE} or {LEGACY_H5_FILE} in {data_dir}. Keras 3 cannot load models saved "
        "by Keras 2 as a TensorFlow SavedModel: re-save the model in the .keras format."
    )


def load_exported(data_dir: str) -> Any:
    """The SavedModel exported by `export_saved_model` (callable through `.serve`)."""
    import tensorflow as tf

    return tf.saved_model.load(os.path.join(data_dir, EXPORTED_DIR))


class KerasPyfunc:
    """The pyfunc view: `model.predict` on arrays (dicts feed named inputs), numpy out."""

    def __init__(self, keras_model: Any) -> None:
        self.keras_model = keras_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        result = self.keras_model.predict(input_arrays(data), verbose=0)
        return output_like(result, data, to_numpy)

    def get_raw_model(self) -> Any:
        return self.keras_model


class SavedModelPyfunc:
    """The pyfunc view of a TensorFlow SavedModel: its `serve` endpoint (or the object itself,
    for a `tf.Module`) called on tensors; dicts become keyword arguments."""

    def __init__(self, saved: Any) -> None:
        self.saved = saved
        self._call = getattr(saved, "serve", saved)

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        import tensorflow as tf

        inputs = input_arrays(data)
        if isinstance(inputs, Mapping):
            result = self._call(**{k: tf.constant(v) for k, v in inputs.items()})
        else:
            result = self._call(tf.constant(inputs))
        return output_like(result, data, to_numpy)

    def get_raw_model(self) -> Any:
        return self.saved


def to_numpy(value: Any) -> Any:
    """A tensor of any Keras backend as a numpy array; other values unchanged."""
    numpy = getattr(value, "numpy", None)
    if callable(numpy) and not isinstance(value, type):
        return numpy()
    return value
