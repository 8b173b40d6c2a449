"""Process-wide system-metrics switches (``mlflow.enable_system_metrics_logging()`` and
friends). They override the environment-derived Settings for this process only.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mltrail.errors import ErrorCode, MltrailError
from mltrail.settings import Settings

# Settings field name -> value set through the functions below.
_overrides: dict[str, Any] = {}


def enable_system_metrics_logging() -> None:
    """Log system metrics for every run started from now on in this process."""
    _overrides["enable_system_metrics_logging"] = True


def disable_system_metrics_logging() -> None:
    _overrides["enable_system_metrics_logging"] = False


def set_system_metrics_sampling_interval(interval: float | None) -> None:
    """Seconds between samples; None restores the environment's value (default 10)."""
    if interval is not None and not interval > 0:
        raise MltrailError(
            f"System metrics sampling interval must be a positive number of seconds, "
            f"got {interval!r}.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    _set("system_metrics_sampling_interval", None if interval is None else float(interval))


def set_system_metrics_samples_before_logging(samples: int | None) -> None:
    """Samples averaged into each logged value; None restores the environment's value."""
    valid = isinstance(samples, int) and not isinstance(samples, bool) and samples >= 1
    if samples is not None and not valid:
        raise MltrailError(
            f"Samples before logging must be a positive integer, got {samples!r}.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    _set("system_metrics_samples_before_logging", None if samples is None else int(samples))


def set_system_metrics_node_id(node_id: str | None) -> None:
    """Log under ``system/<node_id>/`` (to tell machines of a distributed run apart)."""
    _set("system_metrics_node_id", node_id or None)


def is_enabled() -> bool:
    """Whether runs log system metrics unless told otherwise (switches, then environment)."""
    return effective_settings().enable_system_metrics_logging


def effective_settings(settings: Settings | None = None) -> Settings:
    """`settings` (default: from the environment) with this process's switches applied."""
    return dataclasses.replace(settings or Settings.from_env(), **_overrides)


def reset() -> None:
    """Forget every switch set in this process."""
    _overrides.clear()


def _set(name: str, value: Any) -> None:
    if value is None:
        _overrides.pop(name, None)
    else:
        _overrides[name] = value
