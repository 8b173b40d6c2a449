"""The XGBoost flavor: Boosters and scikit-learn-API models saved, logged, loaded, and crossed
with the official `mlflow` package both ways."""

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
import mltrail.xgboost
from mltrail.errors import MltrailError
from mltrail.models.flavor import Flavor, get_flavor

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the lazily imported framework loads

FRAME = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "b": [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]})
LABELS = np.array([0, 1, 0, 1, 1, 0])


@pytest.fixture(scope="module")
def classifier() -> Any:
    import xgboost

    return xgboost.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1).fit(FRAME, LABELS)


@pytest.fixture(scope="module")
def booster() -> Any:
    import xgboost

    params = {"max_depth": 2, "nthread": 1, "objective": "binary:logistic"}
    return xgboost.train(params, xgboost.DMatrix(FRAME, label=LABELS), num_boost_round=3)


def _native(model: Any) -> Any:
    import xgboost

    if isinstance(model, xgboost.Booster):
        return model.predict(xgboost.DMatrix(FRAME))
    return model.predict(FRAME)


@pytest.mark.parametrize(
    ("kind", "model_format", "model_class"),
    [
        ("classifier", "ubj", "xgboost.sklearn.XGBClassifier"),
        ("booster", "json", "xgboost.core.Booster"),
        ("booster", "ubj", "xgboost.core.Booster"),
    ],
)
def test_save_and_load_round_trip(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, model_format: str, model_class: str
) -> None:
    model = request.getfixturevalue(kind)
    (tmp_path / "notes.txt").write_text("trained on six rows")
    target = tmp_path / "m"
    mltrail.xgboost.save_model(
        model, target, model_format=model_format, extra_files=[str(tmp_path / "notes.txt")]
    )
    fields = yaml.safe_load((target / "MLmodel").read_text())
    flavor = fields["flavors"]["xgboost"]
    assert flavor["data"] == f"model.{model_format}"
    assert flavor["model_class"] == model_class
    assert flavor["model_format"] == model_format
    assert flavor["extra_files"] == [{"path": "extra_files/notes.txt"}]
    assert (target / "extra_files" / "notes.txt").read_text() == "trained on six rows"
    assert fields["flavors"]["python_function"]["loader_module"] == "mlflow.xgboost"
    assert fields["flavors"]["python_function"]["data"] == f"model.{model_format}"
    assert "xgboost" in (target / "requirements.txt").read_text()
    reloaded = mltrail.xgboost.load_model(str(target))
    assert type(reloaded) is type(model)
    np.testing.assert_array_equal(_native(reloaded), _native(model))
    np.testing.assert_array_equal(
        mltrail.pyfunc.load_model(str(target)).predict(FRAME), _native(model)
    )


def test_input_example_gives_signature_and_is_enforced(tmp_path: Path, classifier: Any) -> None:
    mltrail.xgboost.save_model(classifier, tmp_path / "m", input_example=FRAME.head(2))
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    signature = loaded.metadata.signature
    assert signature is not None
    assert signature.inputs is not None
    assert signature.inputs.input_names() == ["a", "b"]
    assert signature.outputs is not None
    example = loaded.metadata.load_input_example(str(tmp_path / "m"))
    pd.testing.assert_frame_equal(example, FRAME.head(2))
    with pytest.raises(MltrailError, match="b"):
        loaded.predict(FRAME[["a"]])
    assert set(mltrail.pyfunc.load_model(str(tmp_path / "m")).get_raw_model().classes_) == {0, 1}


def test_params_in_the_signature_reach_predict(tmp_path: Path, classifier: Any) -> None:
    example = (FRAME.head(2), {"output_margin": False})
    mltrail.xgboost.save_model(classifier, tmp_path / "m", input_example=example)
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.predict(FRAME), classifier.predict(FRAME))
    np.testing.assert_allclose(
        loaded.predict(FRAME, params={"output_margin": True}),
        classifier.predict(FRAME, output_margin=True),
    )


def test_bad_arguments_are_refused(tmp_path: Path, classifier: Any) -> None:
    with pytest.raises(MltrailError, match="model_format 'pickle'"):
        mltrail.xgboost.save_model(classifier, tmp_path / "a", model_format="pickle")
    with pytest.raises(MltrailError, match="Expected an xgboost"):
        mltrail.xgboost.save_model(object(), tmp_path / "b")
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


def test_log_model_and_load_by_uri(booster: Any, classifier: Any) -> None:
    with mltrail.start_run() as run:
        info = mltrail.xgboost.log_model(
            classifier, name="xgb", input_example=FRAME, registered_model_name="xgb-clf"
        )
    assert set(info.flavors) == {"python_function", "xgboost"}
    assert info.model_id is not None
    assert info.registered_model_version == 1
    expected = classifier.predict(FRAME)
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/xgb", "models:/xgb-clf/1"):
        np.testing.assert_array_equal(mltrail.xgboost.load_model(uri).predict(FRAME), expected)
        np.testing.assert_array_equal(mltrail.pyfunc.load_model(uri).predict(FRAME), expected)


def test_registered_as_a_builtin_flavor() -> None:
    assert get_flavor("xgboost") is mltrail.xgboost
    assert isinstance(mltrail.xgboost, Flavor)


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.pyfunc
        import mlflow.xgboost
    return mlflow


@pytest.mark.compat
@pytest.mark.slow
def test_mltrail_models_load_in_mlflow(tmp_path: Path, booster: Any, classifier: Any) -> None:
    mlflow = _mlflow()
    for name, model in (("clf", classifier), ("booster", booster)):
        mltrail.xgboost.save_model(model, tmp_path / name, input_example=FRAME.head(2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = mlflow.pyfunc.load_model(str(tmp_path / name)).predict(FRAME)
            native = mlflow.xgboost.load_model(str(tmp_path / name))
        np.testing.assert_array_equal(theirs, _native(model))
        np.testing.assert_array_equal(_native(native), _native(model))


@pytest.mark.compat
@pytest.mark.slow
def test_mlflow_models_load_in_mltrail(tmp_path: Path, booster: Any, classifier: Any) -> None:
    mlflow = _mlflow()
    for name, model in (("clf", classifier), ("booster", booster)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Explicit requirements skip MLflow's slow subprocess-based inference.
            mlflow.xgboost.save_model(
                model, tmp_path / name, input_example=FRAME.head(2), pip_requirements=["xgboost"]
            )
        loaded = mltrail.pyfunc.load_model(str(tmp_path / name))
        assert loaded.metadata.signature is not None
        np.testing.assert_array_equal(loaded.predict(FRAME), _native(model))
        ours = mltrail.xgboost.load_model(str(tmp_path / name))
        assert type(ours) is type(model)
        np.testing.assert_array_equal(_native(ours), _native(model))
