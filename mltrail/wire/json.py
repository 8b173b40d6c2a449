"""JSON bytes in and out, with MLflow's convention for non-finite doubles.

orjson is fast but writes NaN/Infinity as ``null``; MLflow's wire carries them as the strings
"NaN", "Infinity" and "-Infinity", so codecs pass doubles through `encode_double` first.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from mltrail.errors import ErrorCode, MltrailError

_NON_FINITE_OUT = {math.inf: "Infinity", -math.inf: "-Infinity"}
_NON_FINITE_IN = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj)


def loads(data: bytes | str) -> Any:
    """Parse a request or response body; malformed JSON is MALFORMED_REQUEST."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise MltrailError(
            f"Malformed JSON in the request body: {exc.msg} (at character {exc.pos})",
            ErrorCode.MALFORMED_REQUEST,
        ) from None


def encode_double(value: float) -> float | str:
    """A double as MLflow writes it: finite numbers as numbers, the rest as strings."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else _NON_FINITE_OUT[value]


def decode_double(value: object) -> float | None:
    """A wire double (number, numeric string, "NaN", "Infinity"...) or None if it is not one."""
    if type(value) is float:
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        special = _NON_FINITE_IN.get(value)
        if special is not None:
            return special
        try:
            return float(value)
        except ValueError:
            return None
    return None
