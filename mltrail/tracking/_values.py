"""Arguments of logging calls turned into validated entities, so bad input fails at the call.

Uses the stores' own checks (same limits, codes and messages as MLflow); the cached key check
keeps this cheap enough for the per-step hot path.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Mapping
from typing import Any

from mltrail._time import now_ms
from mltrail.entities import Metric, Param, RunStatus, RunTag
from mltrail.errors import InvalidParameter
from mltrail.store.tracking import validation


def metric(
    key: str,
    value: Any,
    timestamp: int | None = None,
    step: int | None = None,
    *,
    model_id: str | None = None,
    dataset_name: str | None = None,
    dataset_digest: str | None = None,
) -> Metric:
    # On the per-step hot path: the common argument types are checked first.
    validation.check_key(key, "name", "Metric name")
    when = now_ms() if timestamp is None else _timestamp(key, value, timestamp)
    if type(value) is not float:
        value = _metric_value(value, when)
    if type(step) is not int:
        step = 0 if step is None else _step(key, value, step)
    return Metric(key, value, when, step, model_id, dataset_name, dataset_digest)


def checked_metric(index: int, item: Metric) -> Metric:
    """A caller-built Metric, validated (index names it in messages)."""
    validation.check_metric(index, item)
    return item


def param(key: str, value: Any, *, truncate: bool) -> Param:
    validation.check_key(key, "key", "Param key")
    text = validation.check_value(
        value, "value", "Param value", validation.MAX_PARAM_VALUE_LENGTH, truncate=truncate
    )
    return Param(key, text)


def tag(key: str, value: Any, *, truncate: bool) -> RunTag:
    validation.check_key(key, "key", "Tag key")
    text = validation.check_value(
        value, "value", "Tag value", validation.MAX_TAG_VALUE_LENGTH, truncate=truncate
    )
    return RunTag(key, text)


def tags(values: Mapping[str, Any] | None, *, truncate: bool) -> list[RunTag]:
    return [tag(k, v, truncate=truncate) for k, v in (values or {}).items()]


def run_status(status: str | RunStatus) -> RunStatus:
    try:
        return RunStatus(str(status).upper())
    except ValueError:
        raise InvalidParameter(
            f"Could not get run status corresponding to string {status}. "
            f"Valid run status strings: {RunStatus.all_status()}"
        ) from None


def _metric_value(value: Any, timestamp: int) -> float:
    if value is None:
        raise validation.missing("value")
    # Any real number (numpy scalars and bools included, as MLflow accepts them) or an
    # object that converts itself, such as a 0-d array or tensor.
    if isinstance(value, numbers.Real) or (
        hasattr(value, "__float__") and not isinstance(value, str | bytes)
    ):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise validation.invalid_value(
        "value",
        value,
        f"(timestamp={timestamp}). Please specify value as a valid double (64-bit floating point)",
    )


def _step(key: str, value: Any, step: Any) -> int:
    if isinstance(step, float) and step.is_integer():
        return int(step)
    try:
        if isinstance(step, bool):
            raise TypeError
        return operator.index(step)
    except TypeError:
        raise validation.invalid_value(
            "step", step, f"metric '{key}' (value={value}). Step must be a valid long integer."
        ) from None


def _timestamp(key: str, value: Any, timestamp: Any) -> int:
    try:
        if isinstance(timestamp, bool):
            raise TypeError
        when = operator.index(timestamp)
    except TypeError:
        when = -1
    if when < 0:
        raise validation.invalid_value(
            "timestamp",
            timestamp,
            f"metric '{key}' (value={value}). Timestamp must be a nonnegative long integer.",
        )
    return when
