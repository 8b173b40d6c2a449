"""Experiment tracking: `MlflowClient`, the tracking URI, and the fluent API's modules.

Names load on first use so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mltrail.tracking.client import MlflowClient, MltrailClient
    from mltrail.tracking.uris import (
        get_registry_uri,
        get_tracking_uri,
        is_tracking_uri_set,
        set_registry_uri,
        set_tracking_uri,
    )

_LAZY = {
    "MlflowClient": "mltrail.tracking.client",
    "MltrailClient": "mltrail.tracking.client",
    "get_tracking_uri": "mltrail.tracking.uris",
    "set_tracking_uri": "mltrail.tracking.uris",
    "is_tracking_uri_set": "mltrail.tracking.uris",
    "get_registry_uri": "mltrail.tracking.uris",
    "set_registry_uri": "mltrail.tracking.uris",
}

__all__ = [
    "MlflowClient",
    "MltrailClient",
    "get_registry_uri",
    "get_tracking_uri",
    "is_tracking_uri_set",
    "set_registry_uri",
    "set_tracking_uri",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
    else:
        # Submodules (e.g. `mltrail.tracking.fluent`) work as attributes, as in MLflow.
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
