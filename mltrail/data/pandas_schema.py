"""Column types of a DataFrame in MLflow's colspec vocabulary (long, double, string, array, ...).

Imported only when a pandas dataset is built, so pandas and numpy load at module level here.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from mltrail.data.digest import DIGEST_SAMPLE_ROWS
from mltrail.data.schema import TabularSchema

# (numpy kind, itemsize) -> colspec type; anything missing (uint64, timedelta, complex...)
# has no MLflow column type, and the dataset then has no schema, as with MLflow.
_NUMPY_TYPES = {
    **{("i", size): "integer" for size in (1, 2, 4)},
    ("i", 8): "long",
    **{("u", size): "integer" for size in (1, 2)},
    ("u", 4): "long",
    **{("f", size): "float" for size in (2, 4)},
    ("f", 8): "double",
    ("b", 1): "boolean",
}
# Object columns are typed from their first values: enough to decide, cheap on big frames.
_OBJECT_SAMPLE = DIGEST_SAMPLE_ROWS


class UnsupportedColumn(TypeError):
    """A column whose values have no single MLflow column type."""


def infer_tabular_schema(df: pd.DataFrame) -> TabularSchema | None:
    """The frame's colspec, or None when some column has no MLflow type."""
    try:
        columns = tuple(_column_spec(name, df[name]) for name in df.columns)
    except UnsupportedColumn:
        return None
    return TabularSchema(columns) if columns else None


def _column_spec(name: Any, column: pd.Series) -> dict[str, Any]:
    spec = _dtype_spec(column)
    json_name = name if isinstance(name, str | int) else str(name)
    return {**spec, "name": json_name, "required": not bool(column.isna().any())}


def _dtype_spec(column: pd.Series) -> dict[str, Any]:
    dtype = column.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        return {"type": "datetime"}
    if isinstance(dtype, pd.StringDtype):
        return {"type": "string"}
    if isinstance(dtype, pd.CategoricalDtype):
        return _values_spec(dtype.categories)
    numpy_dtype = getattr(dtype, "numpy_dtype", dtype)  # masked (nullable) dtypes
    if isinstance(numpy_dtype, np.dtype) and numpy_dtype.kind != "O":
        return _numpy_spec(numpy_dtype)
    return _values_spec(column.head(_OBJECT_SAMPLE))


def _numpy_spec(dtype: np.dtype[Any]) -> dict[str, Any]:
    if dtype.kind == "U":
        return {"type": "string"}
    if dtype.kind == "S":
        return {"type": "binary"}
    if dtype.kind == "M":
        return {"type": "datetime"}
    type_name = _NUMPY_TYPES.get((dtype.kind, dtype.itemsize))
    if type_name is None:
        raise UnsupportedColumn(f"no column type for dtype {dtype}")
    return {"type": type_name}


def _values_spec(values: Iterable[Any]) -> dict[str, Any]:
    """The one type shared by all non-null values; 'any' when every value is null."""
    present = [value for value in values if not _is_null(value)]
    if not present:
        return {"type": "any"}
    if all(isinstance(value, dict) for value in present):
        return _object_spec(present)
    if all(isinstance(value, list | tuple | np.ndarray) for value in present):
        items = [item for value in present for item in _as_list(value)]
        return {"type": "array", "items": _values_spec(items)}
    kinds = {_scalar_type(value) for value in present}
    if len(kinds) != 1:
        raise UnsupportedColumn(f"mixed value types {sorted(kinds)}")
    return {"type": kinds.pop()}


def _object_spec(dicts: list[dict[Any, Any]]) -> dict[str, Any]:
    keys = sorted({key for value in dicts for key in value}, key=str)
    properties = {}
    for key in keys:
        values = [value.get(key) for value in dicts]
        required = all(not _is_null(value) for value in values)
        properties[str(key)] = {**_values_spec(values), "required": required}
    return {"type": "object", "properties": properties}


def _scalar_type(value: Any) -> str:
    # bool before int: bool is an int subclass.
    if isinstance(value, bool | np.bool_):
        return "boolean"
    if isinstance(value, int | np.integer):
        return "long"
    if isinstance(value, float | np.floating):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes | bytearray):
        return "binary"
    if isinstance(value, datetime.date | np.datetime64):
        return "datetime"
    raise UnsupportedColumn(f"no column type for {type(value).__name__} values")


def _as_list(value: list[Any] | tuple[Any, ...] | np.ndarray[Any, Any]) -> list[Any]:
    return value.tolist() if isinstance(value, np.ndarray) else list(value)


def _is_null(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)
