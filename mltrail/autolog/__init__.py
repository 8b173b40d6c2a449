"""Autologging: one call and training code records its params, metrics, datasets and model.

`mltrail.autolog()` covers every supported library (see `universal.KNOWN`), including ones
imported later; `mltrail.<library>.autolog()` enables one library with its own options.
Structure: `patching` (safe patching and nesting), `runs` (which run a call logs to),
`config` (options), `integration` (the per-library interface), `import_hooks`, and one
small module per library. Nothing here imports a machine-learning library until it is used.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from mltrail.autolog.config import AutologConfig
from mltrail.autolog.events import AutologgingWarning
from mltrail.autolog.integration import Integration
from mltrail.autolog.universal import autolog

__all__ = ["AutologConfig", "AutologgingWarning", "Integration", "autolog"]


class _CallableModule(types.ModuleType):
    """`mltrail.autolog` is both this package and MLflow's `autolog()` function: importing a
    submodule binds the package to that attribute of `mltrail`, so the package is callable."""

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        autolog(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
