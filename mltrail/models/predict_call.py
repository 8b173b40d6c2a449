"""How a user's `predict` is called: MLflow 3 lets a PythonModel's `predict` omit the context
argument, and any predict may omit `params`.
"""

from __future__ import annotations

import inspect
from typing import Any


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


def call_predict(predict: Any, context: Any, data: Any, params: dict[str, Any] | None) -> Any:
    """Call a bound `predict` with the arguments it declares."""
    args = (context, data) if method_wants_context(predict) else (data,)
    if method_takes_params(predict):
        return predict(*args, params=params)
    return predict(*args)
