"""The `Flavor` interface and the registry that finds flavors (built-in or entry-point plugins).

A flavor is any object (usually a module) with `FLAVOR_NAME`, `save_model`, `load_model` and
`_load_pyfunc(path)`. Third-party packages publish one under the entry-point group
``mltrail.model_flavor`` (name = flavor name, value = ``package.module``). The registry also
maps the loader modules MLflow writes in MLmodel files (``mlflow.sklearn``...) to ours.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

from mltrail.errors import ErrorCode, MltrailError

ENTRY_POINT_GROUP = "mltrail.model_flavor"

# Flavor name -> the mltrail module implementing it.
_BUILTIN = {
    "python_function": "mltrail.pyfunc",
    "sklearn": "mltrail.sklearn",
    "xgboost": "mltrail.xgboost",
    "lightgbm": "mltrail.lightgbm",
    "onnx": "mltrail.onnx",
    "statsmodels": "mltrail.statsmodels",
    "spark": "mltrail.spark",
    "pytorch": "mltrail.pytorch",
    "keras": "mltrail.keras",
    "tensorflow": "mltrail.tensorflow",
}
# MLflow's pyfunc loader modules whose counterpart is not at the plain mlflow -> mltrail path.
_LOADER_ALIASES = {
    "mlflow.pyfunc.model": "mltrail.pyfunc.model",
    "mlflow.pyfunc.loaders.code_model": "mltrail.pyfunc.model",
}


@runtime_checkable
class Flavor(Protocol):
    """What a flavor provides; `_load_pyfunc` returns an object with ``predict(data, params)``."""

    FLAVOR_NAME: str

    def save_model(self, *args: Any, **kwargs: Any) -> Any: ...

    def load_model(self, model_uri: str, dst_path: str | None = None) -> Any: ...

    def _load_pyfunc(self, path: str, model_config: Any = None) -> Any: ...


@lru_cache(maxsize=1)
def _plugins() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def clear_flavor_cache() -> None:
    _plugins.cache_clear()


def flavor_names() -> list[str]:
    """Every flavor mltrail can load: built-ins and installed plugins."""
    return sorted({*_BUILTIN, *_plugins()})


def get_flavor(name: str) -> Flavor:
    """The flavor registered under `name` (plugins override built-ins)."""
    plugin = _plugins().get(name)
    if plugin is not None:
        found: Flavor = plugin.load()
        return found
    module = _BUILTIN.get(name)
    if module is None:
        raise MltrailError(
            f"Unknown model flavor {name!r}; known flavors: {', '.join(flavor_names())}. "
            f"A package can add one under the entry-point group {ENTRY_POINT_GROUP!r}.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    flavor: Flavor = importlib.import_module(module)
    return flavor


def loader_module(name: str) -> ModuleType:
    """Import the pyfunc loader module an MLmodel names, mapping MLflow's names to mltrail's."""
    target = _LOADER_ALIASES.get(name)
    if target is None and name.startswith("mlflow."):
        target = "mltrail." + name.removeprefix("mlflow.")
    if target is None:
        return importlib.import_module(name)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as missing:
        if missing.name is not None and not target.startswith(missing.name):
            raise
        raise MltrailError(
            f"The model's loader module {name!r} has no mltrail counterpart ({target!r}): "
            "this flavor is not supported by mltrail yet.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        ) from None
