"""The pyfunc view of an ONNX model: an onnxruntime session fed from dicts, arrays or frames.

Inputs: a dict is a feed (input name -> array); an array feeds a model with a single input; a
DataFrame feeds its columns by input name, or all of its values to a single input. float64
arrays are cast to float32 where the model expects float (pandas and JSON give float64).
Outputs: a DataFrame (one column per output) for DataFrame input, else a dict of arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter

_DEFAULT_PROVIDERS = ("CPUExecutionProvider",)
# ONNX tensor element types -> numpy dtype names, for the casts a caller cannot easily make.
_FLOAT_TYPES = {"tensor(float)": "float32", "tensor(double)": "float64"}


def session_options(options: Mapping[str, Any] | None) -> Any:
    """`onnxruntime.SessionOptions` from the MLmodel's plain dict of attribute values."""
    import onnxruntime  # type: ignore[import-untyped]

    built = onnxruntime.SessionOptions()
    enums = {
        "graph_optimization_level": onnxruntime.GraphOptimizationLevel,
        "execution_mode": onnxruntime.ExecutionMode,
    }
    for key, value in (options or {}).items():
        if not hasattr(built, key):
            raise InvalidParameter(f"onnxruntime.SessionOptions has no attribute {key!r}")
        setattr(built, key, enums[key](value) if key in enums else value)
    return built


def usable_providers(wanted: Sequence[str] | None) -> list[str]:
    """The configured execution providers this onnxruntime build has (CPU if none)."""
    import onnxruntime

    available = set(onnxruntime.get_available_providers())
    found = [p for p in (wanted or ()) if p in available]
    return found or list(_DEFAULT_PROVIDERS)


class OnnxModelWrapper:
    def __init__(self, session: Any, model_path: str | None = None) -> None:
        self.rt = session
        self.model_path = model_path
        self.inputs = [(i.name, i.type) for i in session.get_inputs()]
        self.output_names = [o.name for o in session.get_outputs()]

    @classmethod
    def from_path(
        cls,
        path: str,
        options: Mapping[str, Any] | None = None,
        providers: Sequence[str] | None = None,
    ) -> OnnxModelWrapper:
        import onnxruntime

        session = onnxruntime.InferenceSession(
            path, sess_options=session_options(options), providers=usable_providers(providers)
        )
        return cls(session, path)

    @classmethod
    def from_proto(cls, proto: Any, options: Mapping[str, Any] | None = None) -> OnnxModelWrapper:
        import onnxruntime

        session = onnxruntime.InferenceSession(
            proto.SerializeToString(),
            sess_options=session_options(options),
            providers=list(_DEFAULT_PROVIDERS),
        )
        return cls(session)

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        import pandas as pd

        outputs = self.rt.run(None, self._feeds(data))
        if not isinstance(data, pd.DataFrame):
            return dict(zip(self.output_names, outputs, strict=True))
        return pd.DataFrame(
            {name: _column(value) for name, value in zip(self.output_names, outputs, strict=True)}
        )

    def get_raw_model(self) -> Any:
        import onnx

        if self.model_path is None:
            raise ValueError("This ONNX model was not loaded from a file")
        return onnx.load(self.model_path)

    def _feeds(self, data: Any) -> dict[str, Any]:
        import numpy as np
        import pandas as pd

        names = [name for name, _ in self.inputs]
        if isinstance(data, Mapping):
            feeds = {str(k): np.asarray(v) for k, v in data.items()}
        elif isinstance(data, pd.DataFrame):
            if set(names) <= set(map(str, data.columns)):
                feeds = {name: _stacked(data[name]) for name in names}
            elif len(names) == 1:
                feeds = {names[0]: data.to_numpy()}
            else:
                raise InvalidParameter(
                    f"The ONNX model takes inputs {names}; the DataFrame has columns "
                    f"{list(data.columns)}"
                )
        elif len(names) == 1:
            feeds = {names[0]: np.asarray(data)}
        else:
            raise InvalidParameter(
                f"The ONNX model takes {len(names)} inputs {names}: pass a dict or a DataFrame"
            )
        missing = [name for name in names if name not in feeds]
        if missing:
            raise InvalidParameter(f"Missing ONNX model inputs {missing}; expected {names}")
        return {name: _cast(feeds[name], kind) for name, kind in self.inputs}


def _stacked(column: Any) -> Any:
    """A column of scalars as a 1-D array, a column of per-row arrays as one stacked tensor."""
    import numpy as np

    values = column.to_numpy()
    if values.dtype == object and len(values) and hasattr(values[0], "__len__"):
        return np.stack([np.asarray(v) for v in values])
    return values


def _cast(array: Any, onnx_type: str) -> Any:
    expected = _FLOAT_TYPES.get(onnx_type)
    if expected == "float32" and array.dtype == "float64":
        return array.astype("float32")
    return array


def _column(value: Any) -> Any:
    """One output as a DataFrame column: (n, 1) flattened, wider rows as lists."""
    if value.ndim == 2 and value.shape[1] == 1:
        return value.ravel()
    if value.ndim > 1:
        return list(value)
    return value
