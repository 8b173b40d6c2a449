"""`PyFuncModel`: any flavor behind one `predict(data, params=None)`, with signature enforcement."""

from __future__ import annotations

from typing import Any

from mltrail.models.enforce import enforce_params, enforce_schema
from mltrail.models.model import PYFUNC_FLAVOR, Model
from mltrail.pyfunc.model import method_takes_params


class PyFuncModel:
    """A loaded model: inputs and params are checked against the signature before predicting."""

    def __init__(
        self,
        model_meta: Model,
        model_impl: Any,
        predict_fn: str = "predict",
        model_config: dict[str, Any] | None = None,
    ) -> None:
        if not hasattr(model_impl, predict_fn):
            raise TypeError(f"The model implementation has no {predict_fn!r} method")
        self._model_meta = model_meta
        self._model_impl = model_impl
        self._predict = getattr(model_impl, predict_fn)
        self._predict_takes_params = method_takes_params(self._predict)
        self._model_config = model_config or {}

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        signature = self._model_meta.signature
        if signature is not None and signature.inputs is not None:
            data = enforce_schema(data, signature.inputs)
        checked = enforce_params(params, signature.params if signature else None)
        if self._predict_takes_params:
            return self._predict(data, params=checked)
        return self._predict(data)

    def predict_stream(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        stream = getattr(self._model_impl, "predict_stream", None)
        if stream is None:
            raise NotImplementedError("This model does not support predict_stream")
        signature = self._model_meta.signature
        if signature is not None and signature.inputs is not None:
            data = enforce_schema(data, signature.inputs)
        return stream(data, params=enforce_params(params, signature.params if signature else None))

    @property
    def metadata(self) -> Model:
        return self._model_meta

    @property
    def model_config(self) -> dict[str, Any]:
        return self._model_config

    @property
    def loader_module(self) -> str | None:
        entry = self._model_meta.flavors.get(PYFUNC_FLAVOR, {})
        loader: str | None = entry.get("loader_module")
        return loader

    def unwrap_python_model(self) -> Any:
        """The user's PythonModel (only for models saved with `python_model=`)."""
        unwrap = getattr(self._model_impl, "unwrap_python_model", None)
        if unwrap is None:
            raise ValueError("Unwrapping only supported for PythonModel models")
        return unwrap()

    def get_raw_model(self) -> Any:
        """The underlying framework object (the sklearn estimator, the PythonModel...)."""
        raw = getattr(self._model_impl, "get_raw_model", None)
        return raw() if raw is not None else self._model_impl

    def __repr__(self) -> str:
        meta = self._model_meta
        lines = ["mltrail.pyfunc.loaded_model:"]
        if meta.artifact_path:
            lines.append(f"  artifact_path: {meta.artifact_path}")
        lines.append(f"  flavor: {self.loader_module}")
        if meta.run_id:
            lines.append(f"  run_id: {meta.run_id}")
        return "\n".join(lines) + "\n"
