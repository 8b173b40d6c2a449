"""Signature enforcement at predict time, with MLflow's rules.

Columns: missing required inputs fail, extra ones are dropped with a warning, values are cast
only when no information is lost (int -> double, int32 -> long), anything else fails with a
message naming the column. Tensors: dtype safely castable and shape matching. Params: defaults
fill in, values are coerced safely, unknown names are ignored with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.types.coerce import coerce_param_value
from mltrail.types.datatypes import AnyType, Array, DataType, Map, Object
from mltrail.types.schema import ColSpec, ParamSchema, Schema, TensorSpec

_log = logging.getLogger(__name__)


class _Violation(Exception):
    """One reason the data breaks the schema; wrapped with context by `enforce_schema`."""


def validate_schema(data: Any, expected_schema: Schema) -> None:
    """Raise InvalidParameter if `data` does not satisfy `expected_schema`."""
    enforce_schema(data, expected_schema)


def enforce_schema(data: Any, schema: Schema) -> Any:
    """`data` converted to satisfy `schema` (a DataFrame for columns, arrays for tensors)."""
    try:
        if schema.is_tensor_spec():
            return _enforce_tensors(data, schema)
        return _enforce_columns(_as_frame(data, schema), schema)
    except _Violation as problem:
        shown = str(data)
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        raise InvalidParameter(
            f"Failed to enforce schema of data '{shown}' with schema '{schema!r}'. Error: {problem}"
        ) from None


# -- columns -------------------------------------------------------------------------------
def _as_frame(data: Any, schema: Schema) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    if isinstance(data, Mapping):
        nested = any(isinstance(t, Array | Object | Map) for t in schema.input_types())
        scalars = all(not isinstance(v, list | tuple | np.ndarray) for v in data.values())
        return pd.DataFrame([data]) if nested or scalars else pd.DataFrame(dict(data))
    if isinstance(data, list) and data and all(isinstance(r, Mapping) for r in data):
        return pd.DataFrame(data)
    if isinstance(data, str | bytes):
        return pd.DataFrame([data])
    if isinstance(data, np.ndarray | list):
        # Positional columns: fine for unnamed schemas, "missing inputs" for named ones.
        return pd.DataFrame(data)
    raise _Violation(f"Unsupported input type {type(data).__name__} for a column-based schema.")


def _enforce_columns(frame: Any, schema: Schema) -> Any:
    if not schema.has_input_names():
        return _enforce_unnamed(frame, schema)
    names = [str(n) for n in schema.input_names()]
    present = {str(c) for c in frame.columns}
    missing = [n for n in (str(r) for r in schema.required_input_names()) if n not in present]
    extra = [c for c in frame.columns if str(c) not in set(names)]
    if missing:
        note = f" Note that there were extra inputs: {extra}." if extra else ""
        raise _Violation(f"Model is missing inputs {missing}.{note}")
    if extra:
        _log.warning(
            "Found extra inputs in the model input that are not defined in the model "
            "signature: `%s`. These inputs will be ignored.",
            extra,
        )
    kept = [n for n in names if n in present]
    if not extra and _typed_already(frame, schema):
        # The common scoring request: converting column by column would change nothing, and
        # would leave a frame of one block per column, which slows the model down too.
        return frame.copy() if list(frame.columns) == kept else frame[kept]
    frame = frame.rename(columns={c: str(c) for c in frame.columns})
    out = frame[kept].copy()
    for spec in schema.inputs:
        if spec.name in present and isinstance(spec, ColSpec):
            out[spec.name] = _enforce_column(out[spec.name], spec)
    return out


# Types whose enforcement looks at the values, not only at the dtype.
_CHECKED_BY_VALUE = frozenset({DataType.string, DataType.binary, DataType.datetime})


def _typed_already(frame: Any, schema: Schema) -> bool:
    """Every column is a distinct, string-named input of the schema, already of its dtype."""
    specs = {spec.name: spec for spec in schema.inputs}
    for name, dtype in zip(frame.columns, frame.dtypes, strict=True):
        spec = specs.get(name) if isinstance(name, str) else None
        if not isinstance(spec, ColSpec):
            return False
        if isinstance(spec.type, AnyType):
            continue
        if not isinstance(spec.type, DataType) or spec.type in _CHECKED_BY_VALUE:
            return False
        if dtype != spec.type.to_numpy():
            return False
    return bool(frame.columns.is_unique)


def _enforce_unnamed(frame: Any, schema: Schema) -> Any:
    if len(frame.columns) != len(schema.inputs):
        raise _Violation(
            f"Model expects {len(schema.inputs)} unnamed inputs, got {len(frame.columns)}."
        )
    out = frame.copy()
    for position, spec in enumerate(schema.inputs):
        if isinstance(spec, ColSpec):
            column = out.columns[position]
            out[column] = _enforce_column(out[column], spec)
    return out


def _enforce_column(column: Any, spec: ColSpec) -> Any:
    kind = spec.type
    if isinstance(kind, AnyType):
        return column
    if not spec.required and bool(column.isna().all()):
        return column
    if isinstance(kind, DataType):
        return _cast_scalar_column(column, kind)
    for value in column.tolist():
        if value is not None and not _matches_composite(value, kind):
            raise _Violation(
                f"Failed to enforce schema for column {column.name}: value {value!r} "
                f"does not match {kind!r}."
            )
    return column


def _matches_composite(value: Any, kind: Any) -> bool:
    import numpy as np

    if isinstance(kind, Array):
        items = value.tolist() if isinstance(value, np.ndarray) else value
        return isinstance(items, list | tuple) and all(
            _matches_composite(v, kind.dtype) for v in items
        )
    if isinstance(kind, Object):
        return isinstance(value, Mapping) and all(
            (p.name in value and _matches_composite(value[p.name], p.dtype))
            or (not p.required and value.get(p.name) is None)
            for p in kind.properties
        )
    if isinstance(kind, Map):
        return isinstance(value, Mapping) and all(
            _matches_composite(v, kind.value_type) for v in value.values()
        )
    if isinstance(kind, AnyType):
        return True
    try:
        coerce_param_value(kind, None, value)
    except ValueError:
        return False
    return True


def _cast_scalar_column(column: Any, kind: DataType) -> Any:
    import numpy as np
    import pandas as pd

    dtype = column.dtype
    if kind is DataType.string:
        if _all_values(column, str):
            return column
        raise _Violation(_incompatible(column.name, dtype, "<U0"))
    if kind is DataType.binary:
        if _all_values(column, bytes | bytearray):
            return column
        raise _Violation(_incompatible(column.name, dtype, "bytes"))
    if kind is DataType.datetime:
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return column
        raise _Violation(_incompatible(column.name, dtype, "datetime64[ns]"))
    target = kind.to_numpy()
    if dtype == target:
        return column
    if dtype.kind == "O" and target.kind == "f" and bool(column.isna().all()):
        return column.astype(target)
    if getattr(dtype, "kind", "O") != "O" and np.can_cast(dtype, target, casting="safe"):
        return column.astype(target)
    raise _Violation(_incompatible(column.name, dtype, target))


def _all_values(column: Any, kind: Any) -> bool:
    return all(isinstance(v, kind) for v in column.tolist() if v is not None)


def _incompatible(name: Any, source: Any, target: Any) -> str:
    return (
        f"Incompatible input types for column {name}. Can not safely convert {source} to {target}."
    )


# -- tensors -------------------------------------------------------------------------------
def _enforce_tensors(data: Any, schema: Schema) -> Any:
    import numpy as np
    import pandas as pd

    specs = [s for s in schema.inputs if isinstance(s, TensorSpec)]
    if not schema.has_input_names():
        if isinstance(data, pd.DataFrame):
            data = data.to_numpy()
        elif isinstance(data, list):
            data = np.asarray(data)
        if not isinstance(data, np.ndarray):
            raise _Violation(
                f"Expected a numpy array for a tensor input, got {type(data).__name__}"
            )
        return _enforce_tensor(data, specs[0])
    if isinstance(data, pd.DataFrame):
        data = {str(c): data[c].to_numpy() for c in data.columns}
    if not isinstance(data, Mapping):
        raise _Violation(f"Expected a dict of named tensors, got {type(data).__name__}")
    missing = [s.name for s in specs if s.name not in data]
    if missing:
        raise _Violation(f"Model is missing inputs {missing}.")
    return {str(s.name): _enforce_tensor(np.asarray(data[s.name]), s) for s in specs}


def _enforce_tensor(array: Any, spec: TensorSpec) -> Any:
    import numpy as np

    if array.dtype != spec.type:
        if not np.can_cast(array.dtype, spec.type, casting="safe"):
            label = "" if spec.name is None else f" for input {spec.name!r}"
            raise _Violation(
                f"dtype of input {array.dtype} does not match expected dtype {spec.type}{label}"
            )
        array = array.astype(spec.type)
    expected = spec.shape
    fits = len(expected) == array.ndim and all(
        e == -1 or e == actual for e, actual in zip(expected, array.shape, strict=True)
    )
    if not fits:
        raise _Violation(f"Shape of input {array.shape} does not match expected shape {expected}")
    return array


# -- params --------------------------------------------------------------------------------
def enforce_params(
    params: Mapping[str, Any] | None, schema: ParamSchema | None
) -> dict[str, Any] | None:
    """Params with defaults filled in and values coerced; None when the model takes none."""
    if schema is None:
        if params:
            _log.warning(
                "`params` can only be specified at inference time if the model signature "
                "defines a params schema. This model does not define a params schema. "
                "Ignoring provided params: %s",
                list(params),
            )
        return None
    given = dict(params or {})
    known = {spec.name for spec in schema}
    unknown = [k for k in given if k not in known]
    if unknown:
        _log.warning(
            "Unrecognized params %s are ignored for inference. Supported params are: %s.",
            unknown,
            sorted(known),
        )
    result: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    for spec in schema:
        if spec.name not in given:
            result[spec.name] = spec.default
            continue
        try:
            result[spec.name] = coerce_param_value(spec.dtype, spec.shape, given[spec.name])
        except ValueError as problem:
            invalid[spec.name] = (
                f"Failed to validate type and shape for {spec.name!r}: {spec!r}, error: {problem}"
            )
    if invalid:
        raise InvalidParameter(f"Invalid parameters found: {invalid}")
    return result
