"""Input examples: `input_example.json` (the example itself) and `serving_input_example.json`
(a body ready to POST to `/invocations`), described by MLmodel's `saved_input_example_info`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Mapping
from typing import Any

from mltrail.errors import InvalidParameter

EXAMPLE_FILE = "input_example.json"
SERVING_FILE = "serving_input_example.json"


def split_example(example: Any) -> tuple[Any, dict[str, Any] | None]:
    """An example given as ``(data, params)`` splits into both parts."""
    if isinstance(example, tuple) and len(example) == 2 and isinstance(example[1], Mapping):
        return example[0], dict(example[1])
    return example, None


def save_input_example(path: str, example: Any) -> dict[str, Any]:
    """Write both example files into the model directory; return `saved_input_example_info`."""
    data, params = split_example(example)
    kind, payload, serving = _encode(data)
    info: dict[str, Any] = {"artifact_path": EXAMPLE_FILE, "type": kind}
    if kind == "dataframe":
        info["pandas_orient"] = "split"
    if params is not None:
        info["params"] = "true"
        payload = {"inputs": payload, "params": jsonable(params)}
        serving = {**serving, "params": jsonable(params)}
    with open(os.path.join(path, EXAMPLE_FILE), "w") as out:
        json.dump(payload, out)
    with open(os.path.join(path, SERVING_FILE), "w") as out:
        json.dump(serving, out, indent=2)
    info["serving_input_path"] = SERVING_FILE
    return info


def _encode(data: Any) -> tuple[str, Any, dict[str, Any]]:
    """(type, input_example.json payload, serving body) for one kind of example data."""
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        split = {
            "columns": [jsonable(c) for c in data.columns],
            "data": [[jsonable(v) for v in row] for row in data.itertuples(index=False)],
        }
        return "dataframe", split, {"dataframe_split": split}
    if isinstance(data, np.ndarray) or (
        isinstance(data, Mapping) and data and all(isinstance(v, np.ndarray) for v in data.values())
    ):
        payload = jsonable(data)
        return "ndarray", payload, {"inputs": payload}
    if isinstance(data, str | bool | int | float | list | dict):
        payload = jsonable(data)
        return "json_object", payload, {"inputs": payload}
    raise InvalidParameter(
        f"Unsupported input example type {type(data).__name__}: use a pandas DataFrame, a "
        "numpy array, a dict of arrays, or JSON-serializable data"
    )


def jsonable(value: Any) -> Any:
    """`value` with numpy/pandas/datetime/bytes values turned into plain JSON values."""
    import numpy as np

    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    return value


def load_input_example(path: str, info: Mapping[str, Any]) -> Any:
    """The example data saved in the model directory `path` (without its params)."""
    data, _params = _load(path, info)
    return data


def load_input_example_params(path: str, info: Mapping[str, Any]) -> dict[str, Any] | None:
    return _load(path, info)[1]


def _load(path: str, info: Mapping[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    import numpy as np
    import pandas as pd

    with open(os.path.join(path, info.get("artifact_path", EXAMPLE_FILE))) as source:
        payload = json.load(source)
    params = None
    if str(info.get("params", "")).lower() == "true" and isinstance(payload, dict):
        wrapped: dict[str, Any] = payload
        payload, params = wrapped.get("inputs"), wrapped.get("params")
    kind = info.get("type")
    if kind == "dataframe":
        return pd.DataFrame(payload["data"], columns=payload["columns"]), params
    if kind == "ndarray":
        if isinstance(payload, dict):
            return {k: np.array(v) for k, v in payload.items()}, params
        return np.array(payload), params
    return payload, params
