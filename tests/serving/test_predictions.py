"""Predictions as MLflow writes them: records for pandas, lists for numpy, NaN as a string."""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd

from mltrail.serving.predictions import predictions_json


def decoded(predictions: object) -> object:
    return orjson.loads(predictions_json(predictions))["predictions"]


def test_numpy_arrays_and_scalars() -> None:
    assert decoded(np.array([1, 2])) == [1, 2]
    assert decoded(np.array([[0.5], [1.5]], dtype=np.float32)) == [[0.5], [1.5]]
    assert decoded({"p": np.array([1]), "n": np.int64(3)}) == {"p": [1], "n": 3}


def test_pandas_objects_become_records() -> None:
    assert decoded(pd.DataFrame({"a": [1, 2]})) == [{"a": 1}, {"a": 2}]
    assert decoded(pd.Series([0.5], name="x")) == [{"x": 0.5}]


def test_non_finite_floats_are_strings_and_none_stays_null() -> None:
    assert decoded(np.array([np.nan, np.inf, -np.inf, 1.0])) == [
        "NaN",
        "Infinity",
        "-Infinity",
        1.0,
    ]
    assert decoded(["x", None]) == ["x", None]
