"""The Spark MLlib flavor: a fitted PipelineModel saved, logged and loaded (natively and as a
pyfunc), through the DFS staging path, and across MLflow and mltrail in both directions.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import mltrail
import mltrail.pyfunc
import mltrail.spark
from mltrail.errors import MltrailError
from mltrail.models.flavor import get_flavor

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),  # the first test starts the JVM: minutes on a loaded machine
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]
FEATURES = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0], "b": [1.0, 0.0, 1.0, 0.0, 2.0]})
PIPELINE_CLASS = "pyspark.ml.pipeline.PipelineModel"


@pytest.fixture(scope="module")
def pipeline(spark: Any) -> tuple[Any, list[float]]:
    """A fitted assembler + linear regression, and its predictions on FEATURES."""
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression

    train = spark.createDataFrame(FEATURES.assign(label=2 * FEATURES["a"] - FEATURES["b"] + 0.5))
    stages = [VectorAssembler(inputCols=["a", "b"], outputCol="features"), LinearRegression()]
    model = Pipeline(stages=stages).fit(train)
    rows = model.transform(spark.createDataFrame(FEATURES)).select("prediction").collect()
    return model, [row[0] for row in rows]


def test_save_writes_mlflow_layout_and_round_trips(
    tmp_path: Path, pipeline: tuple[Any, list[float]]
) -> None:
    import pyspark
    from pyspark.ml import PipelineModel

    model, expected = pipeline
    mltrail.spark.save_model(model, tmp_path / "m", input_example=FEATURES.head(2))
    fields = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    assert fields["flavors"]["spark"] == {
        "pyspark_version": pyspark.__version__,
        "model_data": "sparkml",
        "code": None,
        "model_class": PIPELINE_CLASS,
    }
    entry = fields["flavors"]["python_function"]
    assert (entry["loader_module"], entry["data"]) == ("mlflow.spark", "sparkml")
    assert '"name": "a"' in fields["signature"]["inputs"]
    assert fields["signature"]["outputs"] == '[{"type": "double", "required": true}]'
    assert (tmp_path / "m" / "sparkml" / "metadata").is_dir()
    assert f"pyspark=={pyspark.__version__}" in (tmp_path / "m" / "requirements.txt").read_text()

    native = mltrail.spark.load_model(str(tmp_path / "m"))
    assert isinstance(native, PipelineModel)
    assert [s.uid for s in native.stages] == [s.uid for s in model.stages]
    predicted = mltrail.pyfunc.load_model(str(tmp_path / "m")).predict(FEATURES)
    np.testing.assert_allclose(predicted, expected, rtol=1e-12)
    assert len(set(predicted)) == len(FEATURES)


def test_log_model_then_load_by_model_uri(
    tmp_path: Path, pipeline: tuple[Any, list[float]]
) -> None:
    model, expected = pipeline
    mltrail.set_tracking_uri(f"sqlite:///{tmp_path / 'mltrail.db'}")
    with mltrail.start_run():
        info = mltrail.spark.log_model(model, name="pipeline")
    assert info.flavors["spark"]["model_class"] == PIPELINE_CLASS
    assert get_flavor("spark") is mltrail.spark
    predicted = mltrail.pyfunc.load_model(info.model_uri).predict(FEATURES)
    np.testing.assert_allclose(predicted, expected, rtol=1e-12)


def test_dfs_tmpdir_stages_the_model_and_cleans_up(
    tmp_path: Path, pipeline: tuple[Any, list[float]]
) -> None:
    model, _expected = pipeline
    staging = tmp_path / "dfs"
    staging.mkdir()
    mltrail.spark.save_model(model, tmp_path / "m", dfs_tmpdir=staging.as_uri())
    assert (tmp_path / "m" / "sparkml" / "stages").is_dir()
    loaded = mltrail.spark.load_model(str(tmp_path / "m"), dfs_tmpdir=staging.as_uri())
    assert loaded.uid == model.uid
    assert list(staging.iterdir()) == []


def test_bad_models_are_refused(tmp_path: Path) -> None:
    from mltrail.models import Model

    with pytest.raises(MltrailError, match=r"fitted pyspark\.ml models"):
        mltrail.spark.save_model(object(), tmp_path / "m")
    assert not (tmp_path / "m").exists()
    (tmp_path / "other").mkdir()
    Model().add_flavor("python_function", loader_module="mlflow.sklearn").save(tmp_path / "other")
    with pytest.raises(MltrailError, match="has no 'spark' flavor"):
        mltrail.spark.load_model(str(tmp_path / "other"))


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.pyfunc
        import mlflow.spark
    return mlflow


@pytest.mark.compat
def test_model_saved_by_mlflow_loads_in_mltrail(
    tmp_path: Path, pipeline: tuple[Any, list[float]]
) -> None:
    mlflow = _mlflow()
    model, expected = pipeline
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.spark.save_model(model, str(tmp_path / "theirs"), pip_requirements=["pyspark"])
    native = mltrail.spark.load_model(str(tmp_path / "theirs"))
    assert [s.uid for s in native.stages] == [s.uid for s in model.stages]
    predicted = mltrail.pyfunc.load_model(str(tmp_path / "theirs")).predict(FEATURES)
    np.testing.assert_allclose(predicted, expected, rtol=1e-12)


@pytest.mark.compat
def test_model_saved_by_mltrail_loads_in_mlflow(
    tmp_path: Path, pipeline: tuple[Any, list[float]]
) -> None:
    mlflow = _mlflow()
    model, expected = pipeline
    mltrail.spark.save_model(model, tmp_path / "ours", input_example=FEATURES.head(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        native = mlflow.spark.load_model(str(tmp_path / "ours"))
        predicted = mlflow.pyfunc.load_model(str(tmp_path / "ours")).predict(FEATURES)
    assert [s.uid for s in native.stages] == [s.uid for s in model.stages]
    np.testing.assert_allclose(predicted, expected, rtol=1e-12)
