"""Runs and what they record: metrics, params, tags, inputs and outputs."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mltrail.entities.dataset import DatasetInput, LoggedModelInput, LoggedModelOutput
from mltrail.entities.enums import LifecycleStage, RunStatus


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    value: float
    timestamp: int
    step: int = 0
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None
    run_id: str | None = None

    def __eq__(self, other: object) -> bool:
        # NaN != NaN would make equal histories compare unequal.
        if not isinstance(other, Metric):
            return NotImplemented
        same_value = self.value == other.value or (
            math.isnan(self.value) and math.isnan(other.value)
        )
        return same_value and (
            self.key,
            self.timestamp,
            self.step,
            self.model_id,
            self.dataset_name,
            self.dataset_digest,
            self.run_id,
        ) == (
            other.key,
            other.timestamp,
            other.step,
            other.model_id,
            other.dataset_name,
            other.dataset_digest,
            other.run_id,
        )

    def __hash__(self) -> int:
        return hash((self.key, self.timestamp, self.step, self.run_id))


class _MetricSlots:
    """Metric's slot layout without its frozen `__setattr__` and generated `__init__`: built in C
    and filled with plain slot stores, it then becomes a `Metric` (a class change Python allows
    between classes of identical layout), an ordinary frozen `Metric` like any other."""

    __slots__ = Metric.__slots__


def append_plain_metrics(
    metrics: list[Metric], key: str, points: Iterable[tuple[float | None, int, int]]
) -> bool:
    """Append a `Metric` of `key` for each (value, timestamp, step), several times faster than
    the dataclass's own constructor (for stores reading long histories); no model or dataset.

    Returns False at the first point whose value is None (what it appended is left in place).
    """
    append, blank, metric = metrics.append, _MetricSlots, Metric
    # One loop here rather than a call per point: a Python-level constructor costs a frame
    # per object, which is most of the cost of building 100,000 of them.
    for value, timestamp, step in points:
        if value is None:
            return False
        built: Any = blank()
        built.key = key
        built.value = value
        built.timestamp = timestamp
        built.step = step
        built.model_id = built.dataset_name = built.dataset_digest = built.run_id = None
        built.__class__ = metric
        append(built)
    return True


@dataclass(frozen=True, slots=True)
class Param:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class RunTag:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class RunInfo:
    run_id: str
    experiment_id: str
    run_name: str
    user_id: str
    status: str
    start_time: int | None
    end_time: int | None
    artifact_uri: str
    lifecycle_stage: str = LifecycleStage.ACTIVE

    @property
    def run_uuid(self) -> str:
        return self.run_id

    @property
    def status_enum(self) -> RunStatus:
        return RunStatus(self.status)


@dataclass(frozen=True, slots=True)
class RunData:
    """Latest metric values, params and tags. `metrics` is a key -> value dict, as in MLflow."""

    latest_metrics: tuple[Metric, ...] = ()
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def metrics(self) -> dict[str, float]:
        return {m.key: m.value for m in self.latest_metrics}


@dataclass(frozen=True, slots=True)
class RunInputs:
    dataset_inputs: tuple[DatasetInput, ...] = ()
    model_inputs: tuple[LoggedModelInput, ...] = ()


@dataclass(frozen=True, slots=True)
class RunOutputs:
    model_outputs: tuple[LoggedModelOutput, ...] = ()


@dataclass(frozen=True, slots=True)
class Run:
    info: RunInfo
    data: RunData = field(default_factory=RunData)
    inputs: RunInputs = field(default_factory=RunInputs)
    outputs: RunOutputs = field(default_factory=RunOutputs)
