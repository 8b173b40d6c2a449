"""Names of the user's variables, for metric names like ``accuracy_score_X_test``."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

# Frames of these packages are library internals, not the user's code.
_INTERNAL = ("mltrail.", "sklearn.", "xgboost.", "lightgbm.", "functools", "contextlib")


def user_frame() -> FrameType | None:
    """The innermost frame outside mltrail and the patched libraries."""
    frame = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if not (module.startswith(_INTERNAL) or module in {"mltrail", "sklearn"}):
            return frame
        frame = frame.f_back  # type: ignore[assignment]
    return None


def variable_name(value: Any, frame: FrameType | None) -> str | None:
    """The name of a local (or global) of `frame` bound to this very object."""
    if frame is None:
        return None
    for scope in (frame.f_locals, frame.f_globals):
        for name, bound in scope.items():
            if bound is value and not name.startswith("_"):
                return name
    return None


def render(value: Any, frame: FrameType | None) -> str:
    """A variable name, or ``<TypeName>`` for an unnamed value."""
    return variable_name(value, frame) or f"<{type(value).__name__}>"
