"""Datasets stored by mltrail have the JSON shapes the official mlflow package produces for
the same data (schema, profile, source), so MLflow's UI and clients read ours."""

from __future__ import annotations

import datetime
import json
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mltrail.data
import mltrail.tracking.source  # registers the run context that code sources record

pytestmark = pytest.mark.compat


def mlflow_data() -> Any:
    import mlflow.data

    return mlflow.data


def theirs(build: Callable[[Any], Any]) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow's integer-column hints
        result: dict[str, Any] = build(mlflow_data()).to_dict()
        return result


FRAMES: dict[str, Callable[[], pd.DataFrame]] = {
    "scalars": lambda: pd.DataFrame(
        {
            "i64": [1, 2],
            "i32": np.array([1, 2], dtype="int32"),
            "u8": np.array([1, 2], dtype="uint8"),
            "f64": [1.5, None],
            "f32": np.array([1, 2], dtype="float32"),
            "flag": [True, False],
            "text": ["a", None],
            "raw": [b"x", b"y"],
            "when": pd.to_datetime(["2024-01-01", None]),
            "day": [datetime.date(2024, 1, 1)] * 2,
        }
    ),
    "nullable": lambda: pd.DataFrame(
        {
            "Int64": pd.array([1, None], dtype="Int64"),
            "Int8": pd.array([1, 2], dtype="Int8"),
            "Float64": pd.array([1.0, None], dtype="Float64"),
            "string": pd.array(["a", None], dtype="string"),
            "boolean": pd.array([True, None], dtype="boolean"),
            "category": pd.Categorical(["a", "b"]),
            "utc": pd.to_datetime(["2024-01-01", "2024-01-02"]).tz_localize("UTC"),
        }
    ),
    "nested": lambda: pd.DataFrame(
        {
            "ints": [[1, 2], []],
            "nested": [[[1]], [[2, 3]]],
            "array": [np.array([1.5]), None],
            "record": [{"b": 1, "a": "x"}, {"b": 2}],
            "records": [[{"a": 1}], [{"a": 2}]],
            "nothing": [None, None],
        }
    ),
    "int_names": lambda: pd.DataFrame({0: [1.0], 1: [2.0]}),
    "unsupported_uint64": lambda: pd.DataFrame({"u": np.array([1], dtype="uint64")}),
    "unsupported_mixed": lambda: pd.DataFrame({"m": [1, "a"]}),
    "unsupported_timedelta": lambda: pd.DataFrame({"t": pd.to_timedelta([1], unit="s")}),
    "empty": lambda: pd.DataFrame(),
}


@pytest.mark.parametrize("name", list(FRAMES))
def test_pandas_schema_and_profile_match_mlflow(name: str) -> None:
    ours = mltrail.data.from_pandas(FRAMES[name](), targets=None).to_dict()
    reference = theirs(lambda data: data.from_pandas(FRAMES[name]()))
    assert ours["schema"] == reference["schema"]  # the exact stored text
    assert ours["profile"] == reference["profile"]
    assert ours.keys() == reference.keys()
    assert len(ours["digest"] or "") == len(reference["digest"]) == 8


ARRAYS: dict[str, Callable[[], dict[str, Any]]] = {
    "matrix": lambda: {"features": np.zeros((3, 2))},
    "with_targets": lambda: {"features": np.zeros((3, 2, 2), "float32"), "targets": np.ones(3)},
    "named": lambda: {
        "features": {"a": np.arange(3.0), "b": np.array(["x", "y", "z"])},
        "targets": {"t": np.arange(3)},
    },
    "bytes_and_objects": lambda: {"features": np.array([b"ab", b"c"])},
    "objects": lambda: {"features": np.array([1, "a"], dtype=object)},
}


@pytest.mark.parametrize("name", list(ARRAYS))
def test_numpy_schema_and_profile_match_mlflow(name: str) -> None:
    ours = mltrail.data.from_numpy(**ARRAYS[name]()).to_dict()
    reference = theirs(lambda data: data.from_numpy(**ARRAYS[name]()))
    assert ours["schema"] == reference["schema"]
    assert ours["profile"] == reference["profile"]


@pytest.mark.parametrize(
    "source",
    [None, "data/train.csv", "file:///data/train.csv", "s3://b/train.csv", "https://x.org/a.csv"],
)
def test_sources_match_mlflow(source: str | None) -> None:
    ours = mltrail.data.from_pandas(pd.DataFrame({"a": [1.0]}), source=source).to_dict()
    reference = theirs(lambda data: data.from_pandas(pd.DataFrame({"a": [1.0]}), source=source))
    assert ours["source_type"] == reference["source_type"]
    # Code sources record the run context: the same user, script and git tags as MLflow's.
    assert json.loads(ours["source"] or "") == json.loads(reference["source"])


def test_mlflow_reads_our_stored_dataset_back() -> None:
    from mlflow.entities import Dataset as MlflowDatasetEntity

    ours = mltrail.data.from_pandas(FRAMES["scalars"](), source="s3://b/k.parquet").to_entity()
    entity = MlflowDatasetEntity(
        name=ours.name,
        digest=ours.digest,
        source_type=ours.source_type,
        source=ours.source,
        schema=ours.schema,
        profile=ours.profile,
    )
    source = mlflow_data().get_source(entity)
    assert source.to_dict() == {"uri": "s3://b/k.parquet"}
