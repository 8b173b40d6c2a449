"""`spark_udf` on a real local Spark session: a logged sklearn model and a multi-column
PythonModel applied to a DataFrame. Every calling style and result type runs in one Spark job
(each Spark action costs seconds); the output-conversion rules are also checked on plain pandas.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import cloudpickle
import numpy as np
import pandas as pd
import pytest

import mltrail
import mltrail.pyfunc
import mltrail.sklearn
from mltrail.errors import MltrailError
from mltrail.models import infer_signature
from mltrail.pyfunc.spark import convert_output, result_spark_type

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),  # the first test starts the JVM: minutes on a loaded machine
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]
# The model class below travels by value, so the executors' Python workers can unpickle it.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

ROWS = 7  # two partitions and Arrow batches of two rows: several batches per worker


def _features(ids: Any) -> pd.DataFrame:
    ids = np.asarray(ids)
    return pd.DataFrame({"a": ids * 0.5, "b": (ids % 3).astype("float64")})


class Described(mltrail.pyfunc.PythonModel):
    """Several typed output columns; notes each load and batch (with its pid) in a file."""

    def load_context(self, context: Any) -> None:
        self.log = context.model_config["log"]
        self.tag = context.model_config["tag"]
        self._note("load", os.environ.get("MLTRAIL_TEST_UDF_ENV", "-"))

    def _note(self, event: str, detail: str = "-") -> None:
        with open(self.log, "a") as out:
            out.write(f"{event} {self.tag} {os.getpid()} {detail}\n")

    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        self._note("batch")
        doubled = model_input["a"] * 2
        return pd.DataFrame(
            {
                "label": [f"row{int(v)}" for v in doubled],
                "count": doubled.astype("int64"),
                "total": model_input["a"] + model_input["b"] + (params or {}).get("offset", 0.0),
            }
        )


def _expected_described(frame: pd.DataFrame, offset: float = 0.0) -> pd.DataFrame:
    doubled = frame["a"] * 2
    return pd.DataFrame(
        {
            "label": [f"row{int(v)}" for v in doubled],
            "count": doubled.astype("int64"),
            "total": frame["a"] + frame["b"] + offset,
        }
    )


@pytest.fixture(scope="module")
def scored(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Log/save the models, build one UDF per calling style and collect them in one job."""
    from pyspark.sql.functions import col, struct
    from sklearn.linear_model import LinearRegression

    root = tmp_path_factory.mktemp("udf")
    log = root / "events.txt"
    train = _features(range(ROWS))
    sample = train.head(2)
    signature = infer_signature(sample, _expected_described(sample), params={"offset": 0.0})
    for name, sig in (("described", signature), ("unsigned", None)):
        mltrail.pyfunc.save_model(
            root / name,
            python_model=Described(),
            signature=sig,
            model_config={"log": str(log), "tag": "saved"},
        )
    described = str(root / "described")

    def udf(tag: str, **kwargs: Any) -> Any:
        config = {"log": str(log), "tag": tag}
        return mltrail.pyfunc.spark_udf(spark, described, model_config=config, **kwargs)

    with contextlib.chdir(root):
        mltrail.set_tracking_uri(f"sqlite:///{root / 'mltrail.db'}")
        with mltrail.start_run():
            info = mltrail.sklearn.log_model(
                LinearRegression().fit(train, 3 * train["a"] - train["b"] + 1),
                name="reg",
                input_example=train.head(3),
            )
        sk = mltrail.pyfunc.spark_udf(spark, info.model_uri)
        expected_sk = mltrail.pyfunc.load_model(info.model_uri).predict(train)
    from mltrail.tracking import context

    context.reset_all()
    frame = spark.range(0, ROWS, 1, numPartitions=2).select(
        "id", (col("id") * 0.5).alias("a"), (col("id") % 3).cast("double").alias("b")
    )
    rows = frame.select(
        "id",
        sk("a", "b").alias("sk_columns"),
        sk().alias("sk_signature"),
        sk(struct("a", "b")).alias("sk_struct"),
        udf("default", params={"offset": 10.0})().alias("d_default"),
        udf(
            "struct",
            result_type="total double, label string",
            extra_env={"MLTRAIL_TEST_UDF_ENV": "from-driver"},
        )("a", "b").alias("d_struct"),
        udf("int", result_type="int")(col("a"), col("b")).alias("d_int"),
        udf("array", result_type="array<double>")("a", "b").alias("d_array"),
        udf("string", result_type="string")("a", "b").alias("d_string"),
    ).collect()
    rows.sort(key=lambda row: row["id"])
    return {
        "rows": rows,
        "features": train,
        "expected_sk": expected_sk,
        "log": log,
        "unsigned": str(root / "unsigned"),
    }


def test_sklearn_model_logged_with_mltrail_matches_pyfunc(scored: dict[str, Any]) -> None:
    got = [row["sk_columns"] for row in scored["rows"]]
    np.testing.assert_allclose(got, scored["expected_sk"], rtol=1e-12)
    assert len(set(got)) == ROWS  # a real model output, not a constant


def test_no_columns_uses_signature_names_and_struct_input_names_columns(
    scored: dict[str, Any],
) -> None:
    for column in ("sk_signature", "sk_struct"):
        got = [row[column] for row in scored["rows"]]
        np.testing.assert_allclose(got, scored["expected_sk"], rtol=1e-12)


def test_default_result_type_follows_output_signature_and_params(scored: dict[str, Any]) -> None:
    expected = _expected_described(scored["features"], offset=10.0)
    got = pd.DataFrame([row["d_default"].asDict() for row in scored["rows"]])
    assert list(got.columns) == ["label", "count", "total"]  # signature order
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_struct_result_picks_named_columns(scored: dict[str, Any]) -> None:
    expected = _expected_described(scored["features"])
    got = pd.DataFrame([row["d_struct"].asDict() for row in scored["rows"]])
    assert list(got.columns) == ["total", "label"]
    pd.testing.assert_frame_equal(got, expected[["total", "label"]])


def test_scalar_and_array_results_follow_mlflow_rules(scored: dict[str, Any]) -> None:
    expected = _expected_described(scored["features"])
    rows = scored["rows"]
    assert [row["d_int"] for row in rows] == expected["count"].tolist()  # leftmost int column
    assert [row["d_string"] for row in rows] == expected["label"].tolist()  # leftmost column
    arrays = [row["d_array"] for row in rows]  # every numeric column, as doubles
    assert arrays == [
        [float(c), t] for c, t in zip(expected["count"], expected["total"], strict=True)
    ]


def test_model_loads_once_per_worker_and_predicts_in_batches(scored: dict[str, Any]) -> None:
    events = [line.split() for line in Path(scored["log"]).read_text().splitlines()]
    loads = Counter((tag, pid) for event, tag, pid, _env in events if event == "load")
    batches = Counter(tag for event, tag, _pid, _env in events if event == "batch")
    assert set(batches) == {"default", "struct", "int", "array", "string"}
    assert all(count == 1 for count in loads.values()), loads
    for tag, count in batches.items():
        workers = sum(1 for t, _pid in loads if t == tag)
        assert count >= 4 > workers, (tag, count, workers)  # 7 rows, batches of 2


def test_extra_env_is_set_in_the_executor_before_loading(scored: dict[str, Any]) -> None:
    events = [line.split() for line in Path(scored["log"]).read_text().splitlines()]
    seen = {env for event, tag, _pid, env in events if event == "load" and tag == "struct"}
    assert seen == {"from-driver"}


def test_bad_calls_fail_clearly_on_the_driver(spark: Any, scored: dict[str, Any]) -> None:
    unsigned = scored["unsigned"]
    with pytest.raises(MltrailError, match="names no input columns"):
        mltrail.pyfunc.spark_udf(spark, unsigned)()
    with pytest.raises(MltrailError, match="Unsupported result_type 'map<string,double>'"):
        mltrail.pyfunc.spark_udf(spark, unsigned, result_type="map<string, double>")
    with pytest.raises(MltrailError, match="not a Spark DDL type"):
        mltrail.pyfunc.spark_udf(spark, unsigned, result_type="no such type")
    with pytest.raises(MltrailError, match="Unknown env manager 'pipenv'"):
        mltrail.pyfunc.spark_udf(spark, unsigned, env_manager="pipenv")


def test_result_type_defaults(spark: Any) -> None:
    from pyspark.sql import types as st

    from mltrail.models import ModelSignature
    from mltrail.types.schema import ColSpec, Schema, TensorSpec

    def sig(outputs: Schema) -> ModelSignature:
        return ModelSignature(Schema([ColSpec("double", "a")]), outputs)

    assert result_spark_type(None, None) == st.DoubleType()
    assert result_spark_type("bool", None) == st.BooleanType()
    assert result_spark_type(None, sig(Schema([TensorSpec(np.int64, (-1,))]))) == st.LongType()
    assert result_spark_type(None, sig(Schema([TensorSpec(np.float32, (-1, 3))]))) == (
        st.ArrayType(st.FloatType())
    )
    assert result_spark_type(None, sig(Schema([ColSpec("string")]))) == st.StringType()


@pytest.mark.parametrize(
    ("output", "ddl", "expected"),
    [
        (np.array([1, 2]), "double", [1.0, 2.0]),
        (pd.DataFrame({"s": ["x", "y"], "n": [1, 2]}), "long", [1, 2]),
        (pd.DataFrame({"big": [2**40, 1], "n": [3, 4]}), "int", [3, 4]),  # int32 must fit
        (pd.DataFrame({"s": ["x", "y"], "f": [0.5, 1.5]}), "string", ["x", "y"]),
        (np.array([[1, 2], [3, 4]]), "array<double>", [[1.0, 2.0], [3.0, 4.0]]),
        (pd.Series([np.array([1, 2]), np.array([3, 4])]), "array<long>", [[1, 2], [3, 4]]),
        ([True, False], "boolean", [True, False]),
        ([{"p": 1.0}, {"p": 2.0}], "double", [1.0, 2.0]),
    ],
)
def test_output_conversion_rules(spark: Any, output: Any, ddl: str, expected: list[Any]) -> None:
    converted = convert_output(output, result_spark_type(ddl, None), rows=2)
    assert converted.tolist() == expected


def test_output_conversion_errors(spark: Any) -> None:
    with pytest.raises(MltrailError, match="no values compatible with the result type 'double'"):
        convert_output(pd.DataFrame({"s": ["x"]}), result_spark_type("double", None), rows=1)
    with pytest.raises(MltrailError, match=r"no column\(s\) \['b'\]"):
        convert_output(pd.DataFrame({"a": [1.0]}), result_spark_type("a double, b int", None), 1)
    with pytest.raises(MltrailError, match="returned 1 predictions for 2 input rows"):
        convert_output([1.0], result_spark_type("double", None), rows=2)


def test_input_frame_names_columns_and_builds_tensors() -> None:
    from mltrail.models import ModelSignature
    from mltrail.pyfunc.spark import input_frame
    from mltrail.types.schema import ColSpec, Schema, TensorSpec

    columns = (pd.Series([1.0, 2.0]), pd.Series([3, 4]))
    named = ModelSignature(Schema([ColSpec("double", "x"), ColSpec("long", "y")]))
    assert list(input_frame(columns, named).columns) == ["x", "y"]
    assert list(input_frame(columns, None).columns) == ["0", "1"]
    with pytest.raises(MltrailError, match="got 1 columns but the model takes 2 inputs"):
        input_frame(columns[:1], named)

    tensor = ModelSignature(Schema([TensorSpec(np.float32, (-1, 2, 2))]))
    flat = pd.Series([np.arange(4), np.arange(4, 8)])
    built = input_frame((flat,), tensor)
    assert built.dtype == np.float32
    np.testing.assert_array_equal(built, np.arange(8, dtype=np.float32).reshape(2, 2, 2))
