"""Schema inference from example data: DataFrames, Series, ndarrays, dicts, lists and scalars.

The results match the schemas MLflow infers for the same data, so signatures written by either
library compare equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.types.datatypes import AnyType, Array, DataType, Object, Property, ValueType
from mltrail.types.schema import ColSpec, ParamSchema, ParamSpec, Schema, TensorSpec


def infer_schema(data: Any) -> Schema:
    """The schema of `data` (raises InvalidParameter for data it cannot describe)."""
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return Schema(
            ColSpec(_column_type(data[c]), str(c), not bool(data[c].isna().any()))
            for c in data.columns
        )
    if isinstance(data, pd.Series):
        name = None if data.name is None else str(data.name)
        return Schema([ColSpec(_column_type(data), name, not bool(data.isna().any()))])
    if isinstance(data, np.ndarray):
        return Schema([_tensor_spec(data, None)])
    if isinstance(data, Mapping):
        return _mapping_schema(data)
    if isinstance(data, list | tuple):
        return _list_schema(list(data))
    if isinstance(data, str | bytes | bool | int | float):
        return Schema([ColSpec(value_type(data))])
    raise InvalidParameter(f"Cannot infer a schema from data of type {type(data).__name__}")


def _tensor_spec(array: Any, name: str | None) -> TensorSpec:
    return TensorSpec(array.dtype, (-1, *array.shape[1:]), name)


def _mapping_schema(data: Mapping[Any, Any]) -> Schema:
    import numpy as np

    if data and all(isinstance(v, np.ndarray) for v in data.values()):
        return Schema(_tensor_spec(v, str(k)) for k, v in data.items())
    return Schema(ColSpec(value_type(v), str(k), v is not None) for k, v in data.items())


def _list_schema(rows: list[Any]) -> Schema:
    if not rows:
        raise InvalidParameter("Cannot infer a schema from an empty list")
    if all(isinstance(r, Mapping) for r in rows):
        names: dict[str, None] = {}
        for row in rows:
            names.update(dict.fromkeys(str(k) for k in row))
        columns = []
        for name in names:
            values = [r.get(name) for r in rows]
            present = [v for v in values if v is not None]
            if not present:
                raise InvalidParameter(f"Cannot infer the type of {name!r}: every value is None")
            required = len(present) == len(rows)
            columns.append(ColSpec(_common_type(present), name, required))
        return Schema(columns)
    return Schema([ColSpec(_common_type(rows))])


def value_type(value: Any) -> ValueType:
    """The signature type of one Python (or numpy) value."""
    import numpy as np

    if isinstance(value, np.generic):
        return _numpy_type(value.dtype) if not isinstance(value, np.str_) else DataType.string
    if isinstance(value, bool):
        return DataType.boolean
    if isinstance(value, int):
        return DataType.long
    if isinstance(value, float):
        return DataType.double
    if isinstance(value, str):
        return DataType.string
    if isinstance(value, bytes | bytearray):
        return DataType.binary
    if isinstance(value, dt.date):
        return DataType.datetime
    if isinstance(value, np.ndarray):
        return Array(_common_type(value.tolist()))
    if isinstance(value, list | tuple):
        return Array(_common_type(list(value)))
    if isinstance(value, Mapping):
        return Object(Property(str(k), value_type(v)) for k, v in value.items())
    if value is None:
        return AnyType()
    raise InvalidParameter(f"Cannot infer a signature type for {type(value).__name__} values")


def _common_type(values: list[Any]) -> ValueType:
    """One type for all values; objects merge their fields (missing ones become optional)."""
    kinds = [value_type(v) for v in values if v is not None]
    if not kinds:
        return AnyType()
    if all(isinstance(k, Object) for k in kinds):
        return _merge_objects([k for k in kinds if isinstance(k, Object)])
    first = kinds[0]
    if any(k != first for k in kinds):
        if set(kinds) <= {DataType.long, DataType.double}:
            return DataType.double
        raise InvalidParameter(f"Values have different types: {sorted(map(repr, set(kinds)))}")
    return first


def _merge_objects(objects: list[Object]) -> Object:
    fields: dict[str, list[Property]] = {}
    for obj in objects:
        for prop in obj.properties:
            fields.setdefault(prop.name, []).append(prop)
    return Object(
        Property(
            name,
            props[0].dtype,
            len(props) == len(objects) and all(p.required for p in props),
        )
        for name, props in fields.items()
    )


def _numpy_type(dtype: Any) -> DataType:
    kind, size = dtype.kind, dtype.itemsize
    if kind == "b":
        return DataType.boolean
    if kind in "iu":
        # An unsigned int fits the signed type of twice its width.
        fits_int32 = size <= 4 if kind == "i" else size <= 2
        return DataType.integer if fits_int32 else DataType.long
    if kind == "f":
        return DataType.float if size <= 4 else DataType.double
    if kind == "M":
        return DataType.datetime
    if kind in "US":
        return DataType.string if kind == "U" else DataType.binary
    raise InvalidParameter(f"Unsupported numpy data type '{dtype}'")


def _column_type(column: Any) -> ValueType:
    """The type of a pandas column: from its dtype, or from its values when they are objects."""
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) or str(dtype) == "str":
        return DataType.string
    if isinstance(dtype, pd.DatetimeTZDtype):
        return DataType.datetime
    if getattr(dtype, "kind", "O") != "O" and hasattr(dtype, "itemsize"):
        return _numpy_type(dtype)
    values = [v for v in column.tolist() if not _is_missing(v)]
    if not values:
        raise InvalidParameter(f"Cannot infer the type of column {column.name!r}: it is empty")
    return _common_type(values)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def infer_param_schema(params: Mapping[str, Any]) -> ParamSchema:
    """A ParamSchema whose defaults are the given values."""
    import numpy as np

    specs = []
    for name, value in params.items():
        shape: tuple[int, ...] | None = None
        probe = value
        if isinstance(value, np.ndarray | list | tuple):
            items = value.tolist() if isinstance(value, np.ndarray) else list(value)
            if not items:
                raise InvalidParameter(f"Cannot infer the type of param {name!r} from []")
            shape, probe = (-1,), items[0]
        kind = value_type(probe)
        if not isinstance(kind, DataType):
            raise InvalidParameter(
                f"Param {name!r}: only scalars or 1D lists of scalars are supported, "
                f"got {type(value).__name__}"
            )
        specs.append(ParamSpec(name, kind, value, shape))
    return ParamSchema(specs)
