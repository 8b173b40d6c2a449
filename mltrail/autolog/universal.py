"""`mltrail.autolog()`: enable every supported library that is installed, now or when imported."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Collection, Mapping
from types import ModuleType
from typing import Any

from mltrail.autolog import events, import_hooks
from mltrail.autolog.integration import Integration, disable, enable

# flavor -> (the import that triggers it, the mltrail module defining its `INTEGRATION`)
KNOWN: dict[str, tuple[str, str]] = {
    "sklearn": ("sklearn", "mltrail.autolog.sklearn"),
    "xgboost": ("xgboost", "mltrail.autolog.xgboost"),
    "lightgbm": ("lightgbm", "mltrail.autolog.lightgbm"),
    "pytorch": ("pytorch_lightning", "mltrail.autolog.pytorch"),
    "keras": ("keras", "mltrail.autolog.keras"),
}
_HOOK_KEY = "mltrail.autolog.universal"


def integration_for(flavor: str) -> Integration | None:
    """The integration of a known flavor; None when mltrail's module for it is missing."""
    try:
        module = importlib.import_module(KNOWN[flavor][1])
    except ModuleNotFoundError as error:
        if error.name == KNOWN[flavor][1]:
            return None
        raise
    found: Integration = module.INTEGRATION
    return found


def autolog(
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    extra_tags: Mapping[str, Any] | None = None,
    exclude_flavors: Collection[str] | None = None,
) -> None:
    """Autolog every supported library: those imported already now, the others on import.

    The options are the common ones of each library's `autolog`; `exclude_flavors` names
    libraries (e.g. ``["sklearn"]``) to leave alone.
    """
    given = {
        "log_input_examples": log_input_examples,
        "log_model_signatures": log_model_signatures,
        "log_models": log_models,
        "log_datasets": log_datasets,
        "disable": disable,
        "exclusive": exclusive,
        "disable_for_unsupported_versions": disable_for_unsupported_versions,
        "silent": silent,
        "extra_tags": extra_tags,
    }
    excluded = set(exclude_flavors or ())
    import_hooks.unwatch(_HOOK_KEY)
    for flavor, (trigger, _) in KNOWN.items():
        if flavor in excluded:
            continue
        if disable or trigger in sys.modules:
            _apply(flavor, given)
        else:
            import_hooks.watch(trigger, _HOOK_KEY, _on_import(flavor, given))


def _on_import(flavor: str, given: Mapping[str, Any]) -> import_hooks.Callback:
    def callback(module: ModuleType) -> None:
        _apply(flavor, given)

    return callback


def _apply(flavor: str, given: Mapping[str, Any]) -> None:
    try:
        integration = integration_for(flavor)
        if integration is None:
            return
        if given["disable"]:
            disable(integration)
        else:
            enable(integration, given)
    except Exception as error:
        events.failed(flavor, "enable autologging", error)
