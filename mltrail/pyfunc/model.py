"""Custom Python models: `PythonModel`, its `PythonModelContext`, and the loader for the files
`save_model(python_model=...)` writes (the loader MLflow names ``mlflow.pyfunc.model``).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models.model import PYFUNC_FLAVOR, Model

PYTHON_MODEL_FILE = "python_model.pkl"
ARTIFACTS_FOLDER = "artifacts"


class PythonModelContext:
    """What `load_context` and `predict` see: local artifact paths and the model config."""

    def __init__(
        self, artifacts: Mapping[str, str], model_config: Mapping[str, Any] | None = None
    ) -> None:
        self._artifacts = dict(artifacts)
        self._model_config = dict(model_config or {})

    @property
    def artifacts(self) -> dict[str, str]:
        return self._artifacts

    @property
    def model_config(self) -> dict[str, Any]:
        return self._model_config


class PythonModel:
    """Subclass and implement `predict(self, [context,] model_input, params=None)`."""

    def load_context(self, context: PythonModelContext) -> None:
        """Load artifacts the model needs; called once when the model is loaded."""

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    def predict_stream(
        self, context: Any, model_input: Any, params: dict[str, Any] | None = None
    ) -> Any:
        raise NotImplementedError

    @property
    def predict_type_hints(self) -> Any:
        """No type hints: MLflow's pyfunc loader reads this field, so models saved by
        mltrail load there unchanged (it then passes inputs through as they are)."""
        return SimpleNamespace(input=None, output=None)


def method_wants_context(method: Any) -> bool:
    """Whether a bound `predict` takes a context first (MLflow 3 lets it be omitted)."""
    try:
        names = [
            p.name
            for p in inspect.signature(method).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return True
    if names and names[0] == "context":
        return True
    return len([n for n in names if n != "params"]) >= 2


def method_takes_params(method: Any) -> bool:
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return True
    return "params" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


class PythonModelWrapper:
    """Adapts a loaded PythonModel to the pyfunc `predict(data, params)` contract."""

    def __init__(self, python_model: Any, context: PythonModelContext) -> None:
        self.python_model = python_model
        self.context = context
        self._with_context = method_wants_context(python_model.predict)
        self._with_params = method_takes_params(python_model.predict)

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        args = (self.context, data) if self._with_context else (data,)
        if self._with_params:
            return self.python_model.predict(*args, params=params)
        return self.python_model.predict(*args)

    def predict_stream(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        stream = self.python_model.predict_stream
        args = (self.context, data) if method_wants_context(stream) else (data,)
        return stream(*args, params=params)

    def unwrap_python_model(self) -> Any:
        return self.python_model


def _load_pyfunc(path: str, model_config: Mapping[str, Any] | None = None) -> PythonModelWrapper:
    """Load the PythonModel saved in the model directory `path` and call its `load_context`."""
    import cloudpickle

    conf = Model.load(path).flavors.get(PYFUNC_FLAVOR, {})
    pickled = conf.get("python_model")
    if not pickled:
        raise InvalidParameter(f"The model at {path} has no `python_model` in its pyfunc flavor")
    with open(os.path.join(path, pickled), "rb") as source:
        python_model = cloudpickle.load(source)
    artifacts = {
        name: os.path.join(path, entry["path"] if isinstance(entry, Mapping) else str(entry))
        for name, entry in (conf.get("artifacts") or {}).items()
    }
    config = {**(conf.get("config") or {}), **(model_config or {})}
    context = PythonModelContext(artifacts, config)
    python_model.load_context(context)
    return PythonModelWrapper(python_model, context)
