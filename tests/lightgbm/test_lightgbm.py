"""The LightGBM flavor: Boosters (text format) and scikit-learn-API models (skops, pickle,
cloudpickle) saved, logged, loaded, and crossed with the official `mlflow` package."""

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
import mltrail.lightgbm
import mltrail.pyfunc
from mltrail.errors import MltrailError
from mltrail.models.flavor import Flavor, get_flavor

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the lazily imported framework loads

FRAME = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "b": [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]})
LABELS = np.array([0, 1, 0, 1, 1, 0])


@pytest.fixture(scope="module")
def classifier() -> Any:
    import lightgbm

    model = lightgbm.LGBMClassifier(n_estimators=3, n_jobs=1, min_child_samples=1, verbose=-1)
    return model.fit(FRAME, LABELS)


@pytest.fixture(scope="module")
def booster() -> Any:
    import lightgbm

    params = {"objective": "binary", "verbose": -1, "num_threads": 1, "min_data_in_leaf": 1}
    return lightgbm.train(params, lightgbm.Dataset(FRAME, label=LABELS), num_boost_round=3)


@pytest.mark.parametrize(
    ("kind", "fmt", "file_name", "model_class"),
    [
        ("classifier", None, "model.skops", "lightgbm.sklearn.LGBMClassifier"),
        ("classifier", "pickle", "model.pkl", "lightgbm.sklearn.LGBMClassifier"),
        ("classifier", "cloudpickle", "model.pkl", "lightgbm.sklearn.LGBMClassifier"),
        ("booster", None, "model.lgb", "lightgbm.basic.Booster"),
    ],
)
def test_save_and_load_round_trip(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    kind: str,
    fmt: str | None,
    file_name: str,
    model_class: str,
) -> None:
    model = request.getfixturevalue(kind)
    target = tmp_path / "m"
    mltrail.lightgbm.save_model(model, target, serialization_format=fmt)
    fields = yaml.safe_load((target / "MLmodel").read_text())
    flavor = fields["flavors"]["lightgbm"]
    assert flavor["data"] == file_name
    assert flavor["model_class"] == model_class
    assert flavor["serialization_format"] == (fmt or "skops")
    assert (flavor["skops_trusted_types"] is not None) == (fmt is None)
    assert fields["flavors"]["python_function"] == {
        **fields["flavors"]["python_function"],
        "loader_module": "mlflow.lightgbm",
        "data": file_name,
    }
    assert (target / file_name).is_file()
    requirements = (target / "requirements.txt").read_text()
    assert "lightgbm==" in requirements
    assert ("skops==" in requirements) == (kind == "classifier" and fmt is None)
    reloaded = mltrail.lightgbm.load_model(str(target))
    assert type(reloaded) is type(model)
    np.testing.assert_array_equal(reloaded.predict(FRAME), model.predict(FRAME))
    np.testing.assert_array_equal(
        mltrail.pyfunc.load_model(str(target)).predict(FRAME), model.predict(FRAME)
    )


def test_input_example_gives_signature_and_is_enforced(tmp_path: Path, classifier: Any) -> None:
    mltrail.lightgbm.save_model(classifier, tmp_path / "m", input_example=FRAME.head(2))
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    signature = loaded.metadata.signature
    assert signature is not None
    assert signature.inputs is not None
    assert signature.inputs.input_names() == ["a", "b"]
    assert signature.outputs is not None
    assert (tmp_path / "m" / "serving_input_example.json").is_file()
    with pytest.raises(MltrailError, match="column b"):
        loaded.predict(pd.DataFrame({"a": [1.0], "b": ["x"]}))
    probabilities = loaded.get_raw_model().predict_proba(FRAME)
    assert probabilities.shape == (6, 2)


def test_bad_arguments_are_refused(tmp_path: Path, classifier: Any) -> None:
    with pytest.raises(MltrailError, match="Unrecognized serialization format: joblib"):
        mltrail.lightgbm.save_model(classifier, tmp_path / "a", serialization_format="joblib")
    with pytest.raises(MltrailError, match="Expected a lightgbm"):
        mltrail.lightgbm.save_model([1, 2], tmp_path / "b")
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


def test_log_model_and_load_by_uri(booster: Any) -> None:
    with mltrail.start_run() as run:
        info = mltrail.lightgbm.log_model(booster, name="lgb", input_example=FRAME.head(3))
    assert set(info.flavors) == {"python_function", "lightgbm"}
    assert info.signature is not None
    expected = booster.predict(FRAME)
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/lgb"):
        np.testing.assert_allclose(mltrail.lightgbm.load_model(uri).predict(FRAME), expected)
        np.testing.assert_allclose(mltrail.pyfunc.load_model(uri).predict(FRAME), expected)


def test_registered_as_a_builtin_flavor() -> None:
    assert get_flavor("lightgbm") is mltrail.lightgbm
    assert isinstance(mltrail.lightgbm, Flavor)


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.lightgbm
        import mlflow.pyfunc
    return mlflow


@pytest.mark.compat
@pytest.mark.slow
def test_mltrail_models_load_in_mlflow(tmp_path: Path, booster: Any, classifier: Any) -> None:
    mlflow = _mlflow()
    for name, model in (("clf", classifier), ("booster", booster)):
        mltrail.lightgbm.save_model(model, tmp_path / name, input_example=FRAME.head(2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = mlflow.pyfunc.load_model(str(tmp_path / name)).predict(FRAME)
            native = mlflow.lightgbm.load_model(str(tmp_path / name))
        np.testing.assert_array_equal(theirs, model.predict(FRAME))
        np.testing.assert_array_equal(native.predict(FRAME), model.predict(FRAME))


@pytest.mark.compat
@pytest.mark.slow
def test_mlflow_models_load_in_mltrail(tmp_path: Path, booster: Any, classifier: Any) -> None:
    mlflow = _mlflow()
    saved = (
        ("skops", classifier, None),
        ("pickle", classifier, "pickle"),
        ("booster", booster, None),
    )
    for name, model, fmt in saved:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Explicit requirements skip MLflow's slow subprocess-based inference.
            mlflow.lightgbm.save_model(
                model,
                tmp_path / name,
                input_example=FRAME.head(2),
                serialization_format=fmt,
                pip_requirements=["lightgbm"],
            )
        loaded = mltrail.pyfunc.load_model(str(tmp_path / name))
        assert loaded.metadata.signature is not None
        np.testing.assert_array_equal(loaded.predict(FRAME), model.predict(FRAME))
        ours = mltrail.lightgbm.load_model(str(tmp_path / name))
        assert type(ours) is type(model)
        np.testing.assert_array_equal(ours.predict(FRAME), model.predict(FRAME))
