"""MLflow 3 logged models: a model with its own id, artifacts, params, tags and metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

from mltrail.entities.enums import LoggedModelStatus
from mltrail.entities.run import Metric


@dataclass(frozen=True, slots=True)
class LoggedModelTag:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class LoggedModelParameter:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class LoggedModel:
    model_id: str
    experiment_id: str
    name: str
    artifact_location: str
    creation_timestamp: int
    last_updated_timestamp: int
    status: str = LoggedModelStatus.PENDING
    model_type: str | None = None
    source_run_id: str | None = None
    status_message: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    metrics: tuple[Metric, ...] = ()
