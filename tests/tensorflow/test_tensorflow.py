"""The TensorFlow flavor: Keras models (`tf.keras`) and `tf.Module`s saved, logged, loaded,
and crossed with the official `mlflow` package both ways."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import mltrail
import mltrail.pyfunc
import mltrail.tensorflow
from mltrail.errors import MltrailError
from mltrail.models import ModelSignature
from mltrail.models.flavor import Flavor, get_flavor
from mltrail.types.schema import Schema, TensorSpec

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the lazily imported framework loads
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Keras' TensorFlow backend passes `copy=` to TF tensors' `__array__`, which numpy 2 reports.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

X = np.random.default_rng(1).random((5, 3), dtype=np.float32)
WEIGHTS = np.arange(6, dtype=np.float32).reshape(3, 2)


@pytest.fixture(scope="module")
def keras_model() -> Any:
    import tensorflow as tf

    tf.random.set_seed(0)
    net = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    net.compile(optimizer="sgd", loss="mse")
    net.fit(X, np.ones((len(X), 2)), epochs=1, verbose=0)
    return net


@pytest.fixture(scope="module")
def module() -> Any:
    """A TF2 module with a traced, batch-polymorphic `__call__`."""
    import tensorflow as tf

    class Linear(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = tf.Variable(WEIGHTS)

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def __call__(self, x: Any) -> Any:
            return tf.matmul(x, self.w)

    return Linear()


def test_keras_model_round_trip(tmp_path: Path, keras_model: Any) -> None:
    expected = keras_model.predict(X, verbose=0)
    mltrail.tensorflow.save_model(
        keras_model, tmp_path / "m", input_example=X[:2], custom_objects={"scale": 2}
    )
    data = tmp_path / "m" / "data"
    assert (data / "keras_module.txt").read_text() == "tensorflow.keras"
    assert (data / "save_format.txt").read_text() == "tf"
    assert (data / "model.keras").is_file()
    assert (data / "custom_objects.cloudpickle").is_file()
    fields = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    assert fields["flavors"]["tensorflow"]["model_type"] == "keras"
    assert fields["flavors"]["tensorflow"]["data"] == "data"
    assert fields["flavors"]["python_function"]["data"] == "data"
    requirements = (tmp_path / "m" / "requirements.txt").read_text()
    assert "tensorflow" in requirements
    assert "cloudpickle==" in requirements
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6)
    np.testing.assert_allclose(loaded.predict(pd.DataFrame(X)), expected, rtol=1e-6)
    native = mltrail.tensorflow.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(native.predict(X, verbose=0), expected, rtol=1e-6)


def test_tf_module_round_trip(tmp_path: Path, module: Any) -> None:
    signature = ModelSignature(Schema([TensorSpec(np.dtype(np.float32), (-1, 3))]))
    mltrail.tensorflow.save_model(module, tmp_path / "m", signature=signature)
    assert (tmp_path / "m" / "tf2model" / "saved_model.pb").is_file()
    fields = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    assert fields["flavors"]["tensorflow"]["model_type"] == "tf2-module"
    assert fields["flavors"]["tensorflow"]["saved_model_dir"] == "tf2model"
    assert "data" not in fields["flavors"]["python_function"]
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(X), X @ WEIGHTS, rtol=1e-6)
    with pytest.raises(MltrailError, match="dtype of input float64"):
        loaded.predict(X.astype(np.float64))
    restored = mltrail.tensorflow.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(restored(X).numpy(), X @ WEIGHTS, rtol=1e-6)


def test_log_model_and_load_by_uri(module: Any) -> None:
    with mltrail.start_run() as run:
        info = mltrail.tensorflow.log_model(module, name="tf", input_example=X[:2])
    assert info.signature is not None
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/tf"):
        np.testing.assert_allclose(mltrail.pyfunc.load_model(uri).predict(X), X @ WEIGHTS)


def test_registered_as_a_flavor() -> None:
    found = get_flavor("tensorflow")
    assert isinstance(found, Flavor)
    assert found is mltrail.tensorflow
    assert found.FLAVOR_NAME == "tensorflow"


def test_other_objects_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"tf\.Module"):
        mltrail.tensorflow.save_model(object(), tmp_path / "m")
    assert not (tmp_path / "m").exists()


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.pyfunc
        import mlflow.tensorflow
    return mlflow


@pytest.mark.compat
@pytest.mark.slow
def test_mltrail_models_load_in_mlflow(tmp_path: Path, keras_model: Any, module: Any) -> None:
    mlflow = _mlflow()
    expected = keras_model.predict(X, verbose=0)
    mltrail.tensorflow.save_model(keras_model, tmp_path / "keras", input_example=X[:2])
    mltrail.tensorflow.save_model(module, tmp_path / "module", input_example=X[:2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras_pyfunc = mlflow.pyfunc.load_model(str(tmp_path / "keras")).predict(X)
        keras_native = mlflow.tensorflow.load_model(str(tmp_path / "keras"))
        module_pyfunc = mlflow.pyfunc.load_model(str(tmp_path / "module")).predict(X)
    np.testing.assert_allclose(keras_pyfunc, expected, rtol=1e-6)
    np.testing.assert_allclose(keras_native.predict(X, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(module_pyfunc, X @ WEIGHTS, rtol=1e-6)


@pytest.mark.compat
@pytest.mark.slow
def test_mlflow_models_load_in_mltrail(tmp_path: Path, keras_model: Any, module: Any) -> None:
    mlflow = _mlflow()
    expected = keras_model.predict(X, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, model in (("keras", keras_model), ("module", module)):
            mlflow.tensorflow.save_model(
                model, tmp_path / name, input_example=X[:2], pip_requirements=["tensorflow"]
            )
    np.testing.assert_allclose(
        mltrail.pyfunc.load_model(str(tmp_path / "keras")).predict(X), expected, rtol=1e-6
    )
    native = mltrail.tensorflow.load_model(str(tmp_path / "keras"))
    np.testing.assert_allclose(native.predict(X, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(
        mltrail.pyfunc.load_model(str(tmp_path / "module")).predict(X), X @ WEIGHTS, rtol=1e-6
    )
