"""Where Spark ML models are written and read: the Spark session a flavor call needs, and the
copy through a distributed filesystem when Spark's default filesystem is not the local one.

Spark writes and reads models through Hadoop filesystems. With a local default filesystem
(local mode, or a cluster on a shared mount) the model goes straight to a `file:` URI. With
another default filesystem (HDFS, DBFS, ...) it is written under `dfs_tmpdir` there and copied
to the local model directory (and back when loading), as MLflow does.
"""

from __future__ import annotations

import importlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrail.errors import InvalidParameter

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_DFS_TMPDIR = "/tmp/mlflow"
DEFAULT_MODEL_CLASS = "pyspark.ml.pipeline.PipelineModel"


def session() -> SparkSession:
    """The active Spark session, or a small local one (models need a JVM to load)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    return (
        SparkSession.builder.master("local[1]")
        .appName("mltrail-spark-model")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def write_model(spark_model: Any, local_target: str, dfs_tmpdir: str | None) -> None:
    """Save `spark_model` (an MLWritable) into the local directory `local_target`."""
    spark = session()
    if dfs_tmpdir is None and _default_fs_is_local(spark):
        spark_model.write().save(Path(local_target).as_uri())
        return
    staging = _staging_path(dfs_tmpdir)
    spark_model.write().save(staging)
    fs, path = _hadoop_path(spark, staging)
    try:
        # Raw local filesystem: no .crc checksum files next to the copied ones.
        fs.copyToLocalFile(False, path, _hadoop_path(spark, Path(local_target).as_uri())[1], True)
    finally:
        fs.delete(path, True)


def read_model(local_source: str, model_class: str | None, dfs_tmpdir: str | None) -> Any:
    """Load the Spark model saved in the local directory `local_source`."""
    reader = model_reader(model_class or DEFAULT_MODEL_CLASS)
    spark = session()
    if dfs_tmpdir is None and _default_fs_is_local(spark):
        return reader.load(Path(local_source).as_uri())
    staging = _staging_path(dfs_tmpdir)
    fs, path = _hadoop_path(spark, staging)
    fs.copyFromLocalFile(False, True, _hadoop_path(spark, Path(local_source).as_uri())[1], path)
    try:
        return reader.load(staging)
    finally:
        fs.delete(path, True)


def model_reader(model_class: str) -> Any:
    """The pyspark.ml class named in the MLmodel file (only pyspark.ml readable models)."""
    module_name, _, class_name = model_class.rpartition(".")
    if not module_name.startswith("pyspark.ml"):
        raise InvalidParameter(f"{model_class!r} is not a pyspark.ml model class")
    from pyspark.ml.util import MLReadable

    found = getattr(importlib.import_module(module_name), class_name, None)
    if not isinstance(found, type) or not issubclass(found, MLReadable):
        raise InvalidParameter(f"{model_class!r} is not a loadable pyspark.ml model class")
    return found


def _staging_path(dfs_tmpdir: str | None) -> str:
    return f"{(dfs_tmpdir or DEFAULT_DFS_TMPDIR).rstrip('/')}/mltrail-{uuid.uuid4().hex}"


def _default_fs_is_local(spark: SparkSession) -> bool:
    context = spark.sparkContext
    conf = context._jsc.hadoopConfiguration()
    jvm = context._jvm
    assert jvm is not None
    scheme = jvm.org.apache.hadoop.fs.FileSystem.getDefaultUri(conf).getScheme()
    return scheme in (None, "file")


def _hadoop_path(spark: SparkSession, uri: str) -> tuple[Any, Any]:
    """(FileSystem, Path) of `uri` through Spark's Hadoop configuration."""
    context = spark.sparkContext
    jvm = context._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(context._jsc.hadoopConfiguration()), path
