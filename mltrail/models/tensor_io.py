"""Inputs and outputs of tensor models' pyfunc views (pytorch, keras, tensorflow).

What callers pass becomes numpy: a DataFrame or Series gives its values, a list an array, a
dict of columns a dict of arrays. What the model returns comes back as numpy, or as a
DataFrame (on the input's index) when the caller passed a DataFrame, as MLflow does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mltrail.errors import InvalidParameter


def input_arrays(data: Any, frame_dtype: str | None = None) -> Any:
    """`data` as an ndarray, or a dict of ndarrays for named inputs.

    `frame_dtype` casts the values of a DataFrame (pandas gives float64 where models usually
    take float32).
    """
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame | pd.Series):
        values = data.to_numpy()
        return values.astype(frame_dtype) if frame_dtype else values
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, Mapping):
        return {str(name): np.asarray(value) for name, value in data.items()}
    if isinstance(data, list | tuple):
        return np.asarray(data)
    raise InvalidParameter(
        f"Unsupported input type {type(data).__name__}: pass a pandas DataFrame, a numpy "
        "array, a list, or a dict of arrays"
    )


def output_like(result: Any, data: Any, to_numpy: Callable[[Any], Any] | None = None) -> Any:
    """`result` converted with `to_numpy` (tensors to arrays, recursively through dicts, lists
    and tuples); a DataFrame when `data` was one and the result is a single array."""
    import numpy as np
    import pandas as pd

    converted = _convert(result, to_numpy)
    if not isinstance(data, pd.DataFrame) or not isinstance(converted, np.ndarray):
        return converted
    if converted.ndim > 2:
        return converted  # no table holds it
    index = data.index if len(converted) == len(data) else None
    return pd.DataFrame(converted, index=index)


def _convert(value: Any, to_numpy: Callable[[Any], Any] | None) -> Any:
    if isinstance(value, Mapping):
        return {key: _convert(item, to_numpy) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_convert(item, to_numpy) for item in value)
    return to_numpy(value) if to_numpy is not None else value
