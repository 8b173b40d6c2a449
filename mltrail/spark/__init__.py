"""The Spark MLlib flavor (`mlflow.spark` equivalent): save, log and load pyspark.ml models.

The model is written by Spark itself under `sparkml/` of the model directory; the MLmodel entry
uses MLflow's keys (`model_data`, `model_class`, `pyspark_version`), so files cross both ways.
As a pyfunc, the model predicts on a pandas DataFrame through a Spark session (the active one,
or a small local one) and returns the prediction column as a list.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.flavor_support import download_flavor
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.saving import (
    copy_code_paths,
    finish_model_dir,
    model_for,
    new_model_dir,
    pyfunc_flavor_entry,
)
from mltrail.models.signature import ModelSignature
from mltrail.spark import storage

FLAVOR_NAME = "spark"
_MODEL_DATA = "sparkml"


def save_model(
    spark_model: Any,
    path: str | os.PathLike[str],
    mlflow_model: Model | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    dfs_tmpdir: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
) -> None:
    """Save a fitted pyspark.ml model (usually a `PipelineModel`) in MLflow's spark format."""
    _check_model(spark_model)
    import pyspark

    model = model_for(mlflow_model)
    with new_model_dir(path) as local:
        code = copy_code_paths(local, code_paths)
        storage.write_model(spark_model, os.path.join(local, _MODEL_DATA), dfs_tmpdir)
        model.add_flavor(
            "python_function",
            **pyfunc_flavor_entry("mlflow.spark", data=_MODEL_DATA, code=code),
        )
        model.add_flavor(
            FLAVOR_NAME,
            pyspark_version=pyspark.__version__,
            model_data=_MODEL_DATA,
            code=code,
            model_class=_class_name(spark_model),
        )
        finish_model_dir(
            local,
            model,
            signature=signature,
            input_example=input_example,
            metadata=metadata,
            default_requirements=[environment.pinned("pyspark")],
            pip_requirements=pip_requirements,
            extra_pip_requirements=extra_pip_requirements,
            conda_env=conda_env,
            predict=lambda data, _params: _SparkModelPyfunc(spark_model).predict(data),
        )


def _check_model(spark_model: Any) -> None:
    from pyspark.ml import Model as SparkModel
    from pyspark.ml.util import MLWritable

    if not isinstance(spark_model, SparkModel) or not isinstance(spark_model, MLWritable):
        raise InvalidParameter(
            "The spark flavor saves fitted pyspark.ml models that Spark can write "
            f"(pyspark.ml.Model and MLWritable, e.g. a PipelineModel); got {type(spark_model)}."
        )


def _class_name(spark_model: Any) -> str:
    cls = type(spark_model)
    return f"{cls.__module__}.{cls.__qualname__}"


def log_model(
    spark_model: Any,
    artifact_path: str | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    dfs_tmpdir: str | None = None,
    registered_model_name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    name: str | None = None,
) -> ModelInfo:
    """Log a fitted pyspark.ml model as an MLflow 3 LoggedModel (of the active run, if any)."""
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
        spark_model=spark_model,
        conda_env=conda_env,
        code_paths=code_paths,
        dfs_tmpdir=dfs_tmpdir,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
    )


def load_model(model_uri: str, dfs_tmpdir: str | None = None, dst_path: str | None = None) -> Any:
    """The pyspark.ml model saved at `model_uri` (any model URI)."""
    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return storage.read_model(
        os.path.join(local, str(conf.get("model_data", _MODEL_DATA))),
        conf.get("model_class"),
        dfs_tmpdir,
    )


class _SparkModelPyfunc:
    """The pyfunc view of a Spark model: pandas in, the prediction column out (a list)."""

    def __init__(self, spark_model: Any) -> None:
        self.spark_model = spark_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> list[Any]:
        import pandas as pd

        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        spark_frame = storage.session().createDataFrame(frame)
        column = _prediction_column(self.spark_model)
        rows = self.spark_model.transform(spark_frame).select(column).collect()
        return [_plain(row[0]) for row in rows]

    def get_raw_model(self) -> Any:
        return self.spark_model


def _prediction_column(spark_model: Any) -> str:
    """The last stage's `predictionCol` (MLlib's default name is "prediction")."""
    stages = getattr(spark_model, "stages", None) or [spark_model]
    for stage in reversed(stages):
        if stage.hasParam("predictionCol"):
            return str(stage.getOrDefault("predictionCol"))
    return "prediction"


def _plain(value: Any) -> Any:
    to_array = getattr(value, "toArray", None)  # MLlib vectors become lists
    return to_array().tolist() if to_array is not None else value


def _load_pyfunc(path: str, model_config: Any = None) -> _SparkModelPyfunc:
    """Loader for the `python_function` flavor; `path` is the model's `sparkml` folder."""
    model_dir = os.path.dirname(os.path.abspath(path))
    conf = Model.load(model_dir).flavors.get(FLAVOR_NAME, {})
    return _SparkModelPyfunc(storage.read_model(path, conf.get("model_class"), None))
