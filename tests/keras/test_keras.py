"""The Keras 3 flavor: native `.keras` and exported SavedModel files saved, logged, loaded,
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
import mltrail.keras
import mltrail.pyfunc
from mltrail.errors import MltrailError
from mltrail.models import infer_signature
from mltrail.models.flavor import Flavor, get_flavor

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the lazily imported framework loads
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Keras' TensorFlow backend passes `copy=` to TF tensors' `__array__`, which numpy 2 reports.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

X = np.random.default_rng(0).random((8, 3), dtype=np.float32)


@pytest.fixture(scope="module")
def model() -> Any:
    """A small dense network fitted for one epoch."""
    import keras

    keras.utils.set_random_seed(0)
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
    net.compile(optimizer="sgd", loss="mse")
    net.fit(X, np.ones((len(X), 2)), epochs=1, verbose=0)
    return net


@pytest.fixture(scope="module")
def expected(model: Any) -> np.ndarray:
    result: np.ndarray = model.predict(X, verbose=0)
    return result


@pytest.fixture(scope="module")
def saved(model: Any, expected: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keras") / "m"
    mltrail.keras.save_model(model, path, input_example=X[:2])
    return path


def test_save_and_load_round_trip(saved: Path, model: Any, expected: np.ndarray) -> None:
    import keras

    assert sorted(p.name for p in (saved / "data").iterdir()) == ["keras_module.txt", "model.keras"]
    assert (saved / "data" / "keras_module.txt").read_text() == "keras"
    fields = yaml.safe_load((saved / "MLmodel").read_text())
    assert fields["flavors"]["keras"] == {
        "code": None,
        "data": "data",
        "keras_backend": keras.backend.backend(),
        "keras_version": keras.__version__,
        "save_exported_model": False,
    }
    assert fields["flavors"]["python_function"]["loader_module"] == "mlflow.keras"
    assert "keras==" in (saved / "requirements.txt").read_text()
    native = mltrail.keras.load_model(str(saved))
    assert isinstance(native, keras.Model)
    np.testing.assert_allclose(native.predict(X, verbose=0), expected, rtol=1e-6)


def test_pyfunc_predicts_like_keras(saved: Path, expected: np.ndarray) -> None:
    loaded = mltrail.pyfunc.load_model(str(saved))
    assert loaded.metadata.signature is not None
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6)
    np.testing.assert_allclose(loaded.predict(pd.DataFrame(X)), expected, rtol=1e-6)
    with pytest.raises(MltrailError, match="Shape of input"):
        loaded.predict(X[:, :2])


def test_frames_give_frames_without_a_signature(tmp_path: Path, model: Any) -> None:
    mltrail.keras.save_model(model, tmp_path / "m")
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    frame = pd.DataFrame(X.astype(np.float64), columns=["a", "b", "c"])
    predicted = loaded.predict(frame)
    assert isinstance(predicted, pd.DataFrame)
    np.testing.assert_allclose(predicted.to_numpy(), model.predict(X, verbose=0), rtol=1e-5)


def test_named_inputs_take_a_dict(tmp_path: Path) -> None:
    import keras

    a, b = keras.Input((2,), name="a"), keras.Input((1,), name="b")
    joined = keras.Model(
        {"a": a, "b": b}, keras.layers.Dense(1)(keras.layers.Concatenate()([a, b]))
    )
    feed = {"a": np.ones((3, 2), np.float32), "b": np.zeros((3, 1), np.float32)}
    mltrail.keras.save_model(joined, tmp_path / "m", input_example=feed)
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(feed), joined.predict(feed, verbose=0), rtol=1e-6)


def test_exported_saved_model(tmp_path: Path, model: Any, expected: np.ndarray) -> None:
    with pytest.raises(MltrailError, match="signature"):
        mltrail.keras.save_model(model, tmp_path / "bad", save_exported_model=True)
    assert not (tmp_path / "bad").exists()
    signature = infer_signature(X, expected)
    mltrail.keras.save_model(model, tmp_path / "m", save_exported_model=True, signature=signature)
    assert (tmp_path / "m" / "data" / "model" / "saved_model.pb").is_file()
    fields = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    assert fields["flavors"]["keras"]["save_exported_model"] is True
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6)
    exported = mltrail.keras.load_model(str(tmp_path / "m"))  # kept: it owns the variables
    np.testing.assert_allclose(exported.serve(X).numpy(), expected, rtol=1e-6)


def test_log_model_and_load_by_uri(model: Any, expected: np.ndarray) -> None:
    with mltrail.start_run() as run:
        info = mltrail.keras.log_model(
            model, name="net", input_example=X[:2], registered_model_name="keras-net"
        )
    assert set(info.flavors) == {"python_function", "keras"}
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/net", "models:/keras-net/1"):
        np.testing.assert_allclose(mltrail.pyfunc.load_model(uri).predict(X), expected, rtol=1e-6)
    native = mltrail.keras.load_model("models:/keras-net/1")
    np.testing.assert_allclose(native.predict(X, verbose=0), expected, rtol=1e-6)


def test_registered_as_a_flavor() -> None:
    found = get_flavor("keras")
    assert isinstance(found, Flavor)
    assert found is mltrail.keras
    assert found.FLAVOR_NAME == "keras"


def test_not_a_keras_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"keras\.Model"):
        mltrail.keras.save_model(object(), tmp_path / "m")
    assert not (tmp_path / "m").exists()


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.keras
        import mlflow.models
        import mlflow.pyfunc
    return mlflow


@pytest.mark.compat
@pytest.mark.slow
def test_mltrail_models_load_in_mlflow(
    tmp_path: Path, saved: Path, model: Any, expected: np.ndarray
) -> None:
    mlflow = _mlflow()
    exported = tmp_path / "exported"
    mltrail.keras.save_model(
        model, exported, save_exported_model=True, signature=infer_signature(X, expected)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = mlflow.pyfunc.load_model(str(saved)).predict(X)
        native = mlflow.keras.load_model(str(saved))
        theirs_exported = mlflow.pyfunc.load_model(str(exported)).predict(X)
    np.testing.assert_allclose(theirs, expected, rtol=1e-6)
    np.testing.assert_allclose(native.predict(X, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(theirs_exported, expected, rtol=1e-6)


@pytest.mark.compat
@pytest.mark.slow
def test_mlflow_models_load_in_mltrail(tmp_path: Path, model: Any, expected: np.ndarray) -> None:
    mlflow = _mlflow()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # MLflow 3.17's keras save needs the directory to exist when given an input example.
        (tmp_path / "m").mkdir()
        mlflow.keras.save_model(
            model, str(tmp_path / "m"), input_example=X[:2], pip_requirements=["keras"]
        )
        mlflow.keras.save_model(
            model,
            str(tmp_path / "exported"),
            save_exported_model=True,
            signature=mlflow.models.infer_signature(X, expected),
            pip_requirements=["keras"],
        )
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6)
    native = mltrail.keras.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(native.predict(X, verbose=0), expected, rtol=1e-6)
    exported = mltrail.pyfunc.load_model(str(tmp_path / "exported"))
    np.testing.assert_allclose(exported.predict(X), expected, rtol=1e-6)
