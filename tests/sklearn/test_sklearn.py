"""The scikit-learn flavor in its three serialization formats, saved and logged."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import mltrail
import mltrail.pyfunc
import mltrail.sklearn
from mltrail.errors import MltrailError

os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="module")
def fitted() -> tuple[object, pd.DataFrame]:
    from sklearn.linear_model import LogisticRegression

    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 0.0, 1.0, 0.0]})
    return LogisticRegression().fit(frame, [0, 1, 0, 1]), frame


@pytest.mark.parametrize(
    ("fmt", "file_name"),
    [("skops", "model.skops"), ("pickle", "model.pkl"), ("cloudpickle", "model.pkl")],
)
def test_save_and_load_each_format(
    tmp_path: Path, fitted: tuple[object, pd.DataFrame], fmt: str, file_name: str
) -> None:
    estimator, frame = fitted
    mltrail.sklearn.save_model(estimator, tmp_path / "m", serialization_format=fmt)
    fields = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    assert fields["flavors"]["sklearn"]["serialization_format"] == fmt
    assert fields["flavors"]["sklearn"]["pickled_model"] == file_name
    assert fields["flavors"]["python_function"]["loader_module"] == "mlflow.sklearn"
    requirements = (tmp_path / "m" / "requirements.txt").read_text()
    assert "scikit-learn==" in requirements
    expected = estimator.predict(frame)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(
        mltrail.pyfunc.load_model(str(tmp_path / "m")).predict(frame), expected
    )
    reloaded = mltrail.sklearn.load_model(str(tmp_path / "m"))
    np.testing.assert_array_equal(reloaded.predict(frame), expected)


def test_skops_is_the_default_and_example_gives_signature(
    tmp_path: Path, fitted: tuple[object, pd.DataFrame]
) -> None:
    estimator, frame = fitted
    mltrail.sklearn.save_model(estimator, tmp_path / "m", input_example=frame.head(2))
    fields = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    assert fields["flavors"]["sklearn"]["serialization_format"] == "skops"
    assert fields["signature"]["outputs"] == (
        '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
    )
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    with pytest.raises(MltrailError, match="column b"):
        loaded.predict(pd.DataFrame({"a": [1.0], "b": ["x"]}))


def test_bad_format_is_refused(tmp_path: Path, fitted: tuple[object, pd.DataFrame]) -> None:
    with pytest.raises(MltrailError, match="Unrecognized serialization format: joblib"):
        mltrail.sklearn.save_model(fitted[0], tmp_path / "m", serialization_format="joblib")
    assert not (tmp_path / "m").exists()


def test_log_model_through_the_fluent_api(fitted: tuple[object, pd.DataFrame]) -> None:
    estimator, frame = fitted
    with mltrail.start_run() as run:
        info = mltrail.sklearn.log_model(estimator, name="clf", input_example=frame)
    assert set(info.flavors) == {"python_function", "sklearn"}
    assert info.artifact_path.endswith(f"models/{info.model_id}/artifacts")
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/clf"):
        np.testing.assert_array_equal(
            mltrail.sklearn.load_model(uri).predict(frame),
            estimator.predict(frame),  # type: ignore[attr-defined]
        )
