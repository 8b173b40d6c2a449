"""Turn whatever a model's predict returned into MLflow's ``{"predictions": ...}`` JSON bytes.

DataFrames become lists of records, Series become records of one column (as MLflow writes
them), numpy arrays and scalars become plain JSON values; non-finite floats are ``NaN`` /
``Infinity`` strings like MLflow's wire.
"""

from __future__ import annotations

import math
from typing import Any

import orjson


def jsonable(predictions: Any) -> Any:
    """`predictions` as plain JSON-able Python values (records for pandas objects)."""
    import numpy as np
    import pandas as pd

    if isinstance(predictions, pd.DataFrame):
        return predictions.to_dict(orient="records")
    if isinstance(predictions, pd.Series):
        return predictions.to_frame().to_dict(orient="records")
    if isinstance(predictions, np.ndarray):
        return predictions.tolist()
    if isinstance(predictions, dict):
        return {str(k): jsonable(v) for k, v in predictions.items()}
    if isinstance(predictions, list | tuple):
        return [jsonable(v) for v in predictions]
    return predictions


def _fallback(value: Any) -> Any:
    """orjson's hook for the types it does not know (numpy scalars, timestamps, bytes)."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _non_finite(value: Any) -> Any:
    """Replace NaN/Infinity by MLflow's strings (orjson would write them as null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [_non_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _non_finite(v) for k, v in value.items()}
    return value


def predictions_json(predictions: Any) -> bytes:
    """The response body for `predictions`."""
    body = {"predictions": jsonable(predictions)}
    encoded = orjson.dumps(body, default=_fallback, option=orjson.OPT_SERIALIZE_NUMPY)
    # orjson writes NaN as null: only the (rare) bodies with a null are walked again.
    if b"null" in encoded:
        encoded = orjson.dumps(_non_finite(body), default=_fallback)
    return encoded
