"""Parse a `/invocations` request body into model input, in MLflow's scoring formats.

JSON takes exactly one of ``dataframe_split``, ``dataframe_records``, ``instances`` or
``inputs`` (plus optional ``params``); CSV and Parquet bodies are read as DataFrames.
Malformed bodies are BAD_REQUEST; an unknown content type is `UnsupportedContentType` (415).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mltrail.errors import ErrorCode, MltrailError
from mltrail.types.datatypes import DataType
from mltrail.types.schema import ColSpec, Schema

JSON = "application/json"
CSV = "text/csv"
PARQUET = "application/vnd.apache.parquet"
CONTENT_TYPES = (CSV, JSON, PARQUET)
INPUT_FIELDS = ("dataframe_split", "dataframe_records", "instances", "inputs")
_FIELDS_SHOWN = "{" + ", ".join(repr(f) for f in INPUT_FIELDS) + "}"

# Columns whose JSON numbers are converted while parsing, as MLflow does: lossless for numbers,
# and a string that is not a number is reported as a bad request naming the column.
_FLOAT_TYPES = {DataType.double: "float64", DataType.float: "float32"}
_SPLIT_FIELDS = {"data", "columns", "index"}


class UnsupportedContentType(MltrailError):
    """The body's content type is none of `CONTENT_TYPES` (answered with 415)."""

    def __init__(self, content_type: str) -> None:
        super().__init__(
            "This predictor only supports the following content types: "
            f"Types: {list(CONTENT_TYPES)}. Got '{content_type}'.",
            ErrorCode.BAD_REQUEST,
        )

    def get_http_status_code(self) -> int:
        return 415


@dataclass(frozen=True)
class Payload:
    """What to pass to `PyFuncModel.predict`: the data and the optional params."""

    data: Any
    params: dict[str, Any] | None = None


def bad_request(message: str) -> MltrailError:
    return MltrailError(f"Invalid input. {message}", ErrorCode.BAD_REQUEST)


def media_type(content_type: str | None) -> str:
    """``"application/json; charset=utf-8"`` -> ``"application/json"``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_payload(content_type: str | None, body: bytes, schema: Schema | None) -> Payload:
    """The model input in `body`, read according to its content type."""
    kind = media_type(content_type)
    if kind == JSON:
        return parse_json_body(body, schema)
    if kind == CSV:
        return Payload(parse_csv(body, schema))
    if kind == PARQUET:
        return Payload(parse_parquet(body))
    raise UnsupportedContentType(content_type or "")


def parse_json_body(body: bytes, schema: Schema | None) -> Payload:
    import orjson

    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise bad_request(
            f"Ensure that input is a valid JSON formatted string. Error: {exc.msg} "
            f"(at character {exc.pos})"
        ) from None
    if not isinstance(document, dict):
        raise bad_request(
            f"The input must be a JSON dictionary with exactly one of the input fields "
            f"{_FIELDS_SHOWN}. Received a {type(document).__name__}."
        )
    fields = [name for name in INPUT_FIELDS if name in document]
    if len(fields) != 1:
        raise MltrailError(
            f"The input must be a JSON dictionary with exactly one of the input fields "
            f"{_FIELDS_SHOWN}. Received dictionary with input fields: {sorted(fields)}.",
            ErrorCode.BAD_REQUEST,
        )
    return Payload(parse_input(fields[0], document[fields[0]], schema), parse_params(document))


def parse_params(document: Mapping[str, Any]) -> dict[str, Any] | None:
    params = document.get("params")
    if params is None:
        return None
    if not isinstance(params, dict):
        raise bad_request(f"'params' must be a JSON object, got {type(params).__name__}.")
    return params


def parse_input(field: str, value: Any, schema: Schema | None) -> Any:
    if field == "dataframe_split":
        return split_frame(value, schema)
    if field == "dataframe_records":
        return records_frame(value, schema)
    if field == "instances":
        return rows_input(value, schema)
    return columns_input(value, schema)


def split_frame(value: Any, schema: Schema | None) -> Any:
    import pandas as pd

    if not isinstance(value, dict) or "data" not in value or set(value) - _SPLIT_FIELDS:
        got = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise bad_request(
            "Dataframe split format must have 'data' field and optionally 'columns' and "
            f"'index' fields. Got {got}."
        )
    fast = float_split_frame(value, schema)
    if fast is not None:
        return fast
    try:
        frame = pd.DataFrame(value["data"], columns=value.get("columns"), index=value.get("index"))
    except (ValueError, TypeError) as exc:
        raise bad_request(f"Could not build a DataFrame from 'dataframe_split': {exc}") from None
    return with_schema_types(frame, schema)


def float_split_frame(value: Mapping[str, Any], schema: Schema | None) -> Any | None:
    """The common case without pandas' per-cell work: every column is a float input of the
    schema (all of one float type) and every cell a number, so the rows become one numpy block.

    None when the body is anything else; the general path then builds it (and reports errors).
    The result equals the general path's: ints and floats cast to the schema's float type.
    """
    import numpy as np

    columns, rows = value.get("columns"), value["data"]
    if not columns or not isinstance(columns, list) or not isinstance(rows, list) or not rows:
        return None
    dtype = _uniform_float_type(schema, columns)
    if dtype is None:
        return None
    try:
        block = np.array(rows)
    except (ValueError, TypeError, OverflowError):
        return None  # ragged rows or values numpy cannot hold
    # Kinds i/u/f only: strings, booleans and nulls keep the general path's exact handling.
    if block.ndim != 2 or block.shape[1] != len(columns) or block.dtype.kind not in "iuf":
        return None
    import pandas as pd

    frame = block.astype(dtype, copy=False)
    try:
        labels = _column_index(tuple(columns))
        return pd.DataFrame(frame, columns=labels, index=value.get("index"), copy=False)
    except (ValueError, TypeError):
        return None


@functools.lru_cache(maxsize=64)
def _column_index(columns: tuple[str, ...]) -> Any:
    """The pandas Index of these column names, built once: a client sends the same columns with
    every request, and building the Index costs more than the rest of a 1-row frame."""
    import pandas as pd

    return pd.Index(columns)


def _uniform_float_type(schema: Schema | None, columns: list[Any]) -> str | None:
    """The float dtype every one of `columns` has in `schema`, when they are distinct names of
    float inputs all of the same type; None otherwise."""
    if schema is None or schema.is_tensor_spec() or len(set(map(str, columns))) != len(columns):
        return None
    floats = {
        spec.name: _FLOAT_TYPES.get(spec.type)
        for spec in schema
        if isinstance(spec, ColSpec) and isinstance(spec.type, DataType)
    }
    found = {floats.get(c) if isinstance(c, str) else None for c in columns}
    return found.pop() if len(found) == 1 and None not in found else None


def records_frame(value: Any, schema: Schema | None) -> Any:
    import pandas as pd

    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise bad_request(
            f"Dataframe records format must be a list of records. Got {type(value).__name__}."
        )
    return with_schema_types(pd.DataFrame(value), schema)


def rows_input(value: Any, schema: Schema | None) -> Any:
    """TF-serving row format: a list of records becomes a DataFrame, anything else an array."""
    import pandas as pd

    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        if schema is not None and schema.is_tensor_spec():
            keys = {k for row in value for k in row}
            return {k: as_tensor([row.get(k) for row in value], k, schema) for k in keys}
        return with_schema_types(pd.DataFrame(value), schema)
    return as_tensor(value, None, schema)


def columns_input(value: Any, schema: Schema | None) -> Any:
    """TF-serving columnar format: named columns (a dict) or one tensor (a list)."""
    import pandas as pd

    if isinstance(value, dict):
        return {k: as_tensor(v, k, schema) if isinstance(v, list) else v for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        return with_schema_types(pd.DataFrame(value), schema)
    if isinstance(value, list):
        return as_tensor(value, None, schema)
    return value


def as_tensor(value: Any, name: str | None, schema: Schema | None) -> Any:
    """A numpy array, in the schema's dtype when the schema names one for this input."""
    import numpy as np

    dtype: Any = None
    if schema is not None and schema.is_tensor_spec():
        specs = [s for s in schema if s.name == name or (name is None and len(schema) == 1)]
        dtype = specs[0].type if specs else None
    try:
        return np.asarray(value, dtype=dtype)
    except (ValueError, TypeError) as exc:
        if dtype is not None:
            raise bad_request(
                f"Data is not compatible with model signature. Failed to convert input "
                f"{name or 'tensor'} to type '{dtype}'. Error: {exc!r}"
            ) from None
        # Ragged or mixed lists stay Python lists; the model decides what it accepts.
        return value


def with_schema_types(frame: Any, schema: Schema | None) -> Any:
    """Convert float columns named in `schema` while parsing, so bad values are a 400."""
    if schema is None or schema.is_tensor_spec():
        return frame
    for spec in schema:
        if not isinstance(spec, ColSpec) or spec.name not in frame.columns:
            continue
        target = _FLOAT_TYPES.get(spec.type) if isinstance(spec.type, DataType) else None
        if target is None or str(frame[spec.name].dtype) == target:
            continue
        try:
            frame[spec.name] = frame[spec.name].astype(target)
        except (ValueError, TypeError) as exc:
            raise bad_request(
                f"Data is not compatible with model signature. Failed to convert column "
                f"{spec.name} to type '{target}'. Error: {exc!r}"
            ) from None
    return frame


def parse_csv(body: bytes, schema: Schema | None) -> Any:
    import pandas as pd

    try:
        frame = pd.read_csv(io.BytesIO(body))
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise bad_request(f"Failed to parse the CSV body as a pandas DataFrame: {exc}") from None
    return with_schema_types(frame, schema)


def parse_parquet(body: bytes) -> Any:
    import pandas as pd

    try:
        return pd.read_parquet(io.BytesIO(body))
    except ImportError:
        raise UnsupportedContentType(PARQUET) from None
    except Exception as exc:  # pyarrow raises its own error types for corrupt files
        raise MltrailError(
            "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid "
            "Parquet Pandas DataFrame produced using the `pandas.DataFrame.to_parquet()` "
            f"method. Error: '{exc}'",
            ErrorCode.BAD_REQUEST,
        ) from None
