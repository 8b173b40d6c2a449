"""Input checks shared by every tracking store: MLflow's limits, error codes and messages.

Each check raises `InvalidParameter` before anything is written, so a rejected request leaves
the store unchanged. `clean_batch` is on the logging hot path: key checks are cached.
"""

from __future__ import annotations

import json
import logging
import numbers
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from mltrail.entities import DatasetInput, ExperimentTag, Metric, Param, RunTag
from mltrail.errors import InvalidParameter

log = logging.getLogger(__name__)

MAX_ENTITY_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_EXPERIMENT_NAME_LENGTH = 500
MAX_EXPERIMENT_TAG_VALUE_LENGTH = 20000
MAX_RUN_NAME_LENGTH = 250
MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_PER_BATCH = 100
MAX_TAGS_PER_BATCH = 100
MAX_ENTITIES_PER_BATCH = 1000
MAX_DATASETS_PER_REQUEST = 1000
DATASET_FIELD_LIMITS = {
    "name": 500,
    "digest": 36,
    "source": 65535,
    "schema": 1048575,
    "profile": 16777215,
}
MAX_INPUT_TAG_KEY_LENGTH = 255
MAX_INPUT_TAG_VALUE_LENGTH = 500

_KEY_CHARSET = re.compile(r"^[/\w.\- :]*$")
_BAD_CHARSET = (
    "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), "
    "spaces ( ), colon(:) and slashes (/)."
)
_LOGGED_MODEL_NAME_FORBIDDEN = ("/", ":", ".", "%", '"', "'")


@dataclass(frozen=True, slots=True)
class CleanBatch:
    """A validated log_batch request: params deduplicated, long values truncated."""

    metrics: Sequence[Metric]
    params: list[Param]
    tags: list[RunTag]


def _shown(value: object) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def invalid_value(path: str, value: object, reason: str) -> InvalidParameter:
    return InvalidParameter(
        f"Invalid value {_shown(value)} for parameter '{path}' supplied: {reason}"
    )


def too_long(what: str, limit: int) -> InvalidParameter:
    return InvalidParameter(f"'{what}' exceeds the maximum length of {limit} characters")


def missing(path: str) -> InvalidParameter:
    return InvalidParameter(f"Missing value for required parameter '{path}'.")


@lru_cache(maxsize=65536)
def _key_problem(key: str) -> str | None:
    """Why `key` is not a valid name, or None; cached because the same keys recur every step."""
    if not _KEY_CHARSET.match(key):
        return _BAD_CHARSET
    resolved = posixpath.normpath(key)
    escapes = resolved == ".." or resolved.startswith(("../", "/"))
    if resolved != key or escapes or key == ".":
        return (
            "Names may be treated as files in certain cases, and must not resolve to other "
            f"names when treated as such. This name would resolve to '{resolved}'"
        )
    return None


def check_key(key: object, path: str, what: str) -> str:
    """Validate a metric/param/tag key; `path` names it in messages, `what` in length errors."""
    if not isinstance(key, str):
        raise invalid_value(path, "", "A key name must be provided.")
    problem = _key_problem(key)
    if problem:
        raise invalid_value(path, key, problem)
    if len(key) > MAX_ENTITY_KEY_LENGTH:
        raise too_long(what, MAX_ENTITY_KEY_LENGTH)
    return key


def check_value(value: object, path: str, what: str, limit: int, *, truncate: bool) -> str:
    """A param/tag value as a string within `limit`, truncated when allowed."""
    if value is None:
        raise missing(path)
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    if not truncate:
        raise too_long(what, limit)
    log.warning("%s (%d characters) is truncated to %d characters", what, len(text), limit)
    return text[:limit]


def _is_int(value: object) -> bool:
    return type(value) is int or (
        isinstance(value, numbers.Integral) and not isinstance(value, bool)
    )


def check_metric(index: int, metric: Metric) -> None:
    path = f"metrics[{index}]"
    check_key(metric.key, f"{path}.name", "Metric name")
    value = metric.value
    if value is None:
        raise missing(f"{path}.value")
    if type(value) is not float and (
        isinstance(value, bool) or not isinstance(value, numbers.Real)
    ):
        raise invalid_value(
            f"{path}.value",
            value,
            f"(timestamp={metric.timestamp}). "
            "Please specify value as a valid double (64-bit floating point)",
        )
    about = f"metric '{metric.key}' (value={value})."
    if not _is_int(metric.timestamp) or metric.timestamp < 0:
        raise invalid_value(
            f"{path}.timestamp",
            metric.timestamp,
            f"{about} Timestamp must be a nonnegative long (64-bit integer) ",
        )
    if not _is_int(metric.step):
        raise invalid_value(
            f"{path}.step", metric.step, f"{about} Step must be a valid long (64-bit integer)."
        )


# Metric keys that passed `check_key`: a batch usually repeats the keys of the previous one.
_valid_metric_keys: set[str] = set()
_MAX_REMEMBERED_KEYS = 65536


def check_metrics(metrics: Sequence[Metric]) -> None:
    """`check_metric` for each metric; the usual one (a known key, a float value, int step and
    timestamp) costs a few attribute reads."""
    known = _valid_metric_keys
    for index, metric in enumerate(metrics):
        key, timestamp = metric.key, metric.timestamp
        if (
            key.__class__ is str
            and key in known
            and metric.value.__class__ is float
            and timestamp.__class__ is int
            and timestamp >= 0
            and metric.step.__class__ is int
        ):
            continue
        check_metric(index, metric)
        if len(known) >= _MAX_REMEMBERED_KEYS:
            known.clear()
        known.add(key)


def _check_batch_limits(n_metrics: int, n_params: int, n_tags: int) -> None:
    for count, limit, what in (
        (n_metrics, MAX_METRICS_PER_BATCH, "metrics"),
        (n_params, MAX_PARAMS_PER_BATCH, "params"),
        (n_tags, MAX_TAGS_PER_BATCH, "tags"),
        (n_metrics + n_params + n_tags, MAX_ENTITIES_PER_BATCH, "metrics, params, and tags"),
    ):
        if count > limit:
            raise InvalidParameter(
                f"A batch logging request can contain at most {limit} {what}. Got {count} "
                f"{what}. Please split up {what} across multiple requests and try again."
            )


def clean_params(params: Sequence[Param], *, truncate: bool) -> list[Param]:
    """Validated params; a key repeated with the same value is kept once, else rejected."""
    seen: dict[str, str] = {}
    conflicting: list[str] = []
    for i, param in enumerate(params):
        key = check_key(param.key, f"params[{i}].key", "Param key")
        value = check_value(
            param.value, f"params[{i}].value", "Param value", MAX_PARAM_VALUE_LENGTH,
            truncate=truncate,
        )  # fmt: skip
        if seen.setdefault(key, value) != value and key not in conflicting:
            conflicting.append(key)
    if conflicting:
        raise InvalidParameter(
            f"Duplicate parameter keys have been submitted: {conflicting}. Please ensure the "
            "request contains only one param value per param key."
        )
    return [Param(k, v) for k, v in seen.items()]


def clean_tags(tags: Sequence[RunTag], *, truncate: bool) -> list[RunTag]:
    """Validated run tags; for a repeated key the last value wins."""
    latest: dict[str, str] = {}
    for i, tag in enumerate(tags):
        key = check_key(tag.key, f"tags[{i}].key", f"tags[{i}].key")
        latest[key] = check_value(
            tag.value, f"tags[{i}].value", f"tags[{i}].value", MAX_TAG_VALUE_LENGTH,
            truncate=truncate,
        )  # fmt: skip
    return [RunTag(k, v) for k, v in latest.items()]


def clean_batch(
    metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag], *, truncate: bool
) -> CleanBatch:
    _check_batch_limits(len(metrics), len(params), len(tags))
    check_metrics(metrics)
    return CleanBatch(
        metrics, clean_params(params, truncate=truncate), clean_tags(tags, truncate=truncate)
    )


def check_experiment_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidParameter(f"Invalid experiment name: {'' if name is None else name!r}")
    if len(name) > MAX_EXPERIMENT_NAME_LENGTH:
        raise too_long("name", MAX_EXPERIMENT_NAME_LENGTH)
    return name


def clean_experiment_tag(tag: ExperimentTag) -> ExperimentTag:
    key = check_key(tag.key, "key", "key")
    value = check_value(
        tag.value, "value", "value", MAX_EXPERIMENT_TAG_VALUE_LENGTH, truncate=False
    )
    return ExperimentTag(key, value)


def check_run_name(name: str) -> str:
    if len(name) > MAX_RUN_NAME_LENGTH:
        raise too_long("run_name", MAX_RUN_NAME_LENGTH)
    return name


def check_dataset_inputs(inputs: Sequence[DatasetInput]) -> None:
    if len(inputs) > MAX_DATASETS_PER_REQUEST:
        raise InvalidParameter(
            f"A request can contain at most {MAX_DATASETS_PER_REQUEST} datasets. Got "
            f"{len(inputs)} datasets. Please split them across multiple requests."
        )
    for item in inputs:
        dataset = item.dataset
        if dataset is None:
            raise InvalidParameter("Dataset cannot be None")
        for field, limit in DATASET_FIELD_LIMITS.items():
            value = getattr(dataset, field)
            if value is None and field in ("name", "digest", "source"):
                raise InvalidParameter(f"Dataset {field} cannot be None")
            if value is not None and len(value) > limit:
                raise too_long(field, limit)
        if dataset.source_type is None:
            raise InvalidParameter("Dataset source_type cannot be None")
        for tag in item.tags:
            if tag.key is None or tag.value is None:
                raise InvalidParameter("InputTag key and value cannot be None")
            if len(tag.key) > MAX_INPUT_TAG_KEY_LENGTH:
                raise too_long("key", MAX_INPUT_TAG_KEY_LENGTH)
            if len(tag.value) > MAX_INPUT_TAG_VALUE_LENGTH:
                raise too_long("value", MAX_INPUT_TAG_VALUE_LENGTH)


def check_logged_model_name(name: str | None) -> None:
    if name is not None and (not name or any(c in name for c in _LOGGED_MODEL_NAME_FORBIDDEN)):
        raise InvalidParameter(
            f"Invalid model name ({name!r}) provided. Model name must be a non-empty string "
            f"and cannot contain the following characters: {_LOGGED_MODEL_NAME_FORBIDDEN}"
        )


def check_max_results(max_results: int, limit: int) -> int:
    if not _is_int(max_results) or max_results <= 0:
        raise InvalidParameter(
            f"Invalid value {max_results} for parameter 'max_results' supplied. "
            "It must be a positive integer"
        )
    if max_results > limit:
        raise InvalidParameter(
            f"Invalid value {max_results} for parameter 'max_results' supplied. "
            f"It must be at most {limit}"
        )
    return int(max_results)
