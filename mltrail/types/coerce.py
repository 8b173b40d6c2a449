"""Safe coercion of single values (inference params, JSON scalars) to a signature `DataType`.

Only lossless conversions are made (an int becomes a float, never the reverse); anything else
raises `ValueError` with the reason, which callers wrap in their own error message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mltrail.types.datatypes import DataType

_INTEGERS = (DataType.integer, DataType.long)
_FLOATS = (DataType.float, DataType.double)


def coerce_param_value(dtype: DataType, shape: tuple[int, ...] | None, value: Any) -> Any:
    """`value` as `dtype` (a list of them when `shape` is (-1,)), or ValueError."""
    if shape is None:
        return coerce_scalar(dtype, value)
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        raise ValueError(f"Value must be a 1D array with shape {shape} for param of type {dtype}")
    return [coerce_scalar(dtype, item) for item in value]


def coerce_scalar(dtype: DataType, value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = _numpy_scalar(value)
    converted = _convert(dtype, value)
    if converted is _REFUSED:
        raise ValueError(
            f"Can not safely convert `{type(value)}` to `DataType.{dtype.name}` for value `{value}`"
        )
    return converted


_REFUSED = object()


def _numpy_scalar(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.datetime64):
        return value.item()
    return value.item() if isinstance(value, np.generic) else value


def _convert(dtype: DataType, value: Any) -> Any:
    is_bool = isinstance(value, bool)
    if dtype in _INTEGERS:
        return value if isinstance(value, int) and not is_bool else _REFUSED
    if dtype in _FLOATS:
        return float(value) if isinstance(value, int | float) and not is_bool else _REFUSED
    if dtype is DataType.boolean:
        return value if is_bool else _REFUSED
    if dtype is DataType.string:
        return value if isinstance(value, str) else _REFUSED
    if dtype is DataType.binary:
        return value if isinstance(value, bytes) else _REFUSED
    return _datetime(value)


def _datetime(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            return _REFUSED
        return value
    return _REFUSED
