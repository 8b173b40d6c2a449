"""`spark_udf(env_manager="uv")`: the driver builds the model's environment once; each Python
worker finds it in the cache and predicts through a scoring server running inside it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import mltrail.pyfunc
from mltrail.envs.venvs import COMPLETE_MARKER

pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


def save_prefix_model(path: Path) -> Path:
    """A PythonModel answering ``x * 2`` and the `sys.prefix` of the Python that ran it."""

    # Defined here so cloudpickle stores the class by value for the environment to load.
    class Doubler(mltrail.pyfunc.PythonModel):
        def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
            import sys as system

            import pandas as pd

            factor = (params or {}).get("factor", 2.0)
            return pd.DataFrame(
                {"y": model_input["x"] * factor, "prefix": [system.prefix] * len(model_input)}
            )

    import pandas as pd

    from mltrail.models.signature import infer_signature

    signature = infer_signature(pd.DataFrame({"x": [1.0]}))  # the UDF's column is named x
    mltrail.pyfunc.save_model(str(path), python_model=Doubler(), signature=signature)
    return path


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_udf_runs_the_model_in_its_uv_environment(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_root = tmp_path / "envs"
    monkeypatch.setenv("MLTRAIL_ENV_ROOT", str(env_root))
    model = save_prefix_model(tmp_path / "model")
    udf = mltrail.pyfunc.spark_udf(
        spark,
        str(model),
        result_type="struct<y: double, prefix: string>",
        env_manager="uv",
        extra_env={"MLTRAIL_ENV_ROOT": str(env_root)},  # the executors' cache is the driver's
    )
    (env,) = [p for p in env_root.iterdir() if p.name.startswith("uv-") and p.is_dir()]
    built = (env / COMPLETE_MARKER).stat().st_mtime_ns

    frame = spark.createDataFrame([(1.0,), (2.5,), (4.0,)], ["x"])
    rows = frame.withColumn("out", udf("x")).select("x", "out.y", "out.prefix").collect()
    assert [(r["x"], r["y"]) for r in rows] == [(1.0, 2.0), (2.5, 5.0), (4.0, 8.0)]
    assert {r["prefix"] for r in rows} == {str(env)}  # predicted inside the environment
    assert str(env) != sys.prefix
    assert (env / COMPLETE_MARKER).stat().st_mtime_ns == built  # the workers reused it
    assert [p for p in env_root.iterdir() if p.name.startswith("uv-") and p.is_dir()] == [env]


def test_conda_without_conda_fails_on_the_driver(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mltrail.errors import MltrailError

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.delenv("MLFLOW_CONDA_HOME", raising=False)
    monkeypatch.delenv("MLTRAIL_CONDA_HOME", raising=False)
    model = save_prefix_model(tmp_path / "model")
    with pytest.raises(MltrailError, match="`conda` is not on PATH"):
        mltrail.pyfunc.spark_udf(spark, str(model), env_manager="conda")
