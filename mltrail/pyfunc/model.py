"""Custom Python models: `PythonModel`, its `PythonModelContext`, and the loader for the files
`save_model(python_model=...)` writes: a pickled model (the loader MLflow names
``mlflow.pyfunc.model``) or a model-code file (``mlflow.pyfunc.loaders.code_model``).
"""

from __future__ import annotations

import ntpath
import os
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models.model import PYFUNC_FLAVOR, Model
from mltrail.models.predict_call import method_takes_params as method_takes_params
from mltrail.models.predict_call import method_wants_context

PYTHON_MODEL_FILE = "python_model.pkl"
MODEL_CODE_PATH = "model_code_path"
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


class FunctionModel(PythonModel):
    """A plain function set as the model (models from code): `predict` calls it on the input."""

    def __init__(self, func: Any) -> None:
        self.func = func

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:  # type: ignore[override]
        return self.func(model_input)


def as_python_model(model: Any) -> Any:
    """A model handed to `set_model`: PythonModels as they are, functions wrapped."""
    return model if hasattr(model, "predict") else FunctionModel(model)


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
    """Load the PythonModel saved in the model directory `path` and call its `load_context`.

    The model is unpickled, or, for models from code, built by running the saved file.
    """
    conf = Model.load(path).flavors.get(PYFUNC_FLAVOR, {})
    config = {**(conf.get("config") or {}), **(model_config or {})}
    if conf.get(MODEL_CODE_PATH):
        from mltrail.models.code_model import load_model_code

        # MLflow records where the file came from; the copy sits in the model directory.
        code_file = os.path.join(path, ntpath.basename(str(conf[MODEL_CODE_PATH])))
        python_model = as_python_model(load_model_code(code_file, config))
    else:
        python_model = _unpickle(path, conf)
    artifacts = {
        name: os.path.join(path, entry["path"] if isinstance(entry, Mapping) else str(entry))
        for name, entry in (conf.get("artifacts") or {}).items()
    }
    context = PythonModelContext(artifacts, config)
    python_model.load_context(context)
    return PythonModelWrapper(python_model, context)


def _unpickle(path: str, conf: Mapping[str, Any]) -> Any:
    import cloudpickle

    pickled = conf.get("python_model")
    if not pickled:
        raise InvalidParameter(
            f"The model at {path} has neither `python_model` nor `{MODEL_CODE_PATH}` "
            "in its pyfunc flavor"
        )
    with open(os.path.join(path, pickled), "rb") as source:
        return cloudpickle.load(source)
