"""Model files written with mltrail, run by MLflow.

When the official `mlflow` saves or loads a models-from-code model, it runs the model file
and collects what MLflow's own `set_model` received, and MLflow's `ModelConfig` reads the
config it loads with. A file written with mltrail calls mltrail's `set_model` and
`ModelConfig`, so outside an mltrail save/load these forward to the public
`mlflow.models.set_model` / `mlflow.models.ModelConfig` of an MLflow that is already
imported (mltrail never imports it). MLflow's `set_model` takes only its own PythonModel
class or a function, so an mltrail PythonModel travels inside a thin subclass of it.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from mltrail.models.predict_call import call_predict


def hand_to_mlflow(model: Any) -> None:
    """Give `model` to MLflow's `set_model` too, when MLflow is imported."""
    models = sys.modules.get("mlflow.models")
    if models is not None:
        models.set_model(_as_mlflow_model(model))


def mlflow_model_config(development_config: Any) -> dict[str, Any] | None:
    """The config MLflow's `ModelConfig` sees (None when MLflow is not imported)."""
    models = sys.modules.get("mlflow.models")
    if models is None:
        return None
    values = models.ModelConfig(development_config=development_config).to_dict()
    return dict(values or {})


def _as_mlflow_model(model: Any) -> Any:
    base = getattr(sys.modules.get("mlflow.pyfunc"), "PythonModel", None)
    if base is None or not hasattr(model, "predict") or isinstance(model, base):
        return model  # functions go as they are
    return _delegate_class(base)(model)


@lru_cache(maxsize=4)
def _delegate_class(base: type) -> type:
    class MltrailPythonModel(base):  # type: ignore[misc]
        """Runs an mltrail PythonModel where MLflow expects one of its own."""

        # MLflow's class switch: keep `predict` as written (no type-hint checks or warning).
        _skip_type_hint_validation = True

        def __init__(self, model: Any) -> None:
            self.model = model

        def load_context(self, context: Any) -> None:
            self.model.load_context(context)

        def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
            return call_predict(self.model.predict, context, model_input, params)

        @property
        def predict_type_hints(self) -> Any:
            # What MLflow's loader reads: no hints, so inputs pass through unconverted.
            return SimpleNamespace(input=None, output=None)

    return MltrailPythonModel
