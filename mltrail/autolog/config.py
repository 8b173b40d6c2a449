"""Per-library autologging options: MLflow's common options plus each library's own.

One process-wide `AutologConfig` per enabled library (as in MLflow); patched functions read it on
every call, so calling `autolog()` again with other options takes effect immediately.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mltrail.errors import InvalidParameter


@dataclass(frozen=True)
class AutologConfig:
    log_input_examples: bool = False
    log_model_signatures: bool = True
    log_models: bool = True
    log_datasets: bool = True
    disable: bool = False
    exclusive: bool = False
    disable_for_unsupported_versions: bool = False
    silent: bool = False
    registered_model_name: str | None = None
    extra_tags: Mapping[str, Any] | None = None
    # The library's own options (e.g. sklearn's max_tuning_runs), defaults filled in.
    options: Mapping[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> Any:
        return self.options[name]


COMMON_OPTIONS = frozenset(AutologConfig.__dataclass_fields__) - {"options"}

_configs: dict[str, AutologConfig] = {}
_lock = threading.Lock()


def build(flavor: str, defaults: Mapping[str, Any], given: Mapping[str, Any]) -> AutologConfig:
    """A config from `autolog(**given)`; unknown option names are refused."""
    unknown = sorted(set(given) - COMMON_OPTIONS - set(defaults))
    if unknown:
        raise InvalidParameter(f"{flavor} autolog got unknown option(s): {', '.join(unknown)}")
    common = {k: v for k, v in given.items() if k in COMMON_OPTIONS}
    options = {**defaults, **{k: v for k, v in given.items() if k in defaults}}
    return AutologConfig(**common, options=options)


def get(flavor: str) -> AutologConfig | None:
    """The options of an enabled library; None when its autologging is off."""
    return _configs.get(flavor)


def put(flavor: str, config: AutologConfig) -> None:
    with _lock:
        _configs[flavor] = config


def drop(flavor: str) -> None:
    with _lock:
        _configs.pop(flavor, None)


def enabled_flavors() -> list[str]:
    with _lock:
        return list(_configs)
