"""Predict-time enforcement: the casts MLflow makes, the inputs it refuses, params defaults."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from mltrail.errors import MltrailError
from mltrail.models import infer_signature, validate_schema
from mltrail.models.enforce import enforce_params, enforce_schema
from mltrail.types import Schema, TensorSpec

SIGNATURE = infer_signature(
    pd.DataFrame({"a": [1.0], "b": [1], "s": ["x"]}), params={"k": 1, "f": 0.5}
)
assert SIGNATURE.inputs is not None
assert SIGNATURE.params is not None
INPUTS: Schema = SIGNATURE.inputs


def test_safe_casts_and_column_order() -> None:
    frame = pd.DataFrame({"s": ["x"], "b": np.array([1], dtype=np.int32), "a": [1]})
    out = enforce_schema(frame, INPUTS)
    assert list(out.columns) == ["a", "b", "s"]
    assert [str(t) for t in out.dtypes[:2]] == ["float64", "int64"]


def test_lossy_cast_fails_naming_the_column() -> None:
    frame = pd.DataFrame({"a": [1.0], "b": [1.5], "s": ["x"]})
    with pytest.raises(MltrailError, match=r"column b\. Can not safely convert float64 to int64"):
        validate_schema(frame, INPUTS)


def test_number_for_string_fails() -> None:
    with pytest.raises(MltrailError, match="column s"):
        enforce_schema(pd.DataFrame({"a": [1.0], "b": [1], "s": [5]}), INPUTS)


def test_missing_column_fails_and_names_extras() -> None:
    with pytest.raises(MltrailError, match=r"Model is missing inputs \['s'\]") as caught:
        enforce_schema(pd.DataFrame({"a": [1.0], "b": [1], "z": [0]}), INPUTS)
    assert "extra inputs: ['z']" in str(caught.value)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"


def test_extra_columns_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        out = enforce_schema(pd.DataFrame({"a": [1.0], "b": [1], "s": ["x"], "z": [3]}), INPUTS)
    assert list(out.columns) == ["a", "b", "s"]
    assert "['z']" in caplog.text


def test_dicts_and_records_become_frames() -> None:
    assert list(enforce_schema({"a": 1.0, "b": 1, "s": "x"}, INPUTS).columns) == ["a", "b", "s"]
    out = enforce_schema([{"a": 1.0, "b": 1, "s": "x"}, {"a": 2.0, "b": 2, "s": "y"}], INPUTS)
    assert out["b"].tolist() == [1, 2]


def test_optional_column_may_be_missing() -> None:
    schema = infer_signature(pd.DataFrame({"a": [1.0], "o": [None]}).astype({"o": float})).inputs
    assert schema is not None
    out = enforce_schema(pd.DataFrame({"a": [2.0]}), schema)
    assert list(out.columns) == ["a"]


def test_tensor_dtype_and_shape() -> None:
    schema = Schema([TensorSpec(np.dtype("float64"), (-1, 2))])
    assert enforce_schema(np.ones((3, 2), dtype=np.float32), schema).dtype == np.float64
    with pytest.raises(MltrailError, match=r"Shape of input \(3, 3\) does not match"):
        enforce_schema(np.ones((3, 3)), schema)
    with pytest.raises(MltrailError, match="dtype of input"):
        enforce_schema(np.array([["a", "b"]]), schema)


def test_params_defaults_casts_and_errors(caplog: pytest.LogCaptureFixture) -> None:
    assert enforce_params(None, SIGNATURE.params) == {"k": 1, "f": 0.5}
    assert enforce_params({"f": 2}, SIGNATURE.params) == {"k": 1, "f": 2.0}
    with caplog.at_level(logging.WARNING):
        assert enforce_params({"zz": 1}, SIGNATURE.params) == {"k": 1, "f": 0.5}
    assert "Unrecognized params ['zz']" in caplog.text
    for bad in ("abc", 1.5, True):
        with pytest.raises(MltrailError, match="Invalid parameters found"):
            enforce_params({"k": bad}, SIGNATURE.params)


def test_params_without_schema_are_ignored() -> None:
    assert enforce_params({"k": 1}, None) is None
