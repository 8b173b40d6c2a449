"""Enumerations shared by entities and the wire: run status, lifecycle stage, view type."""

from __future__ import annotations

import enum


class RunStatus(enum.StrEnum):
    """Run status; members compare equal to MLflow's status strings ("FINISHED", ...)."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    @property
    def number(self) -> int:
        """MLflow's protobuf enum number (RUNNING=1 ... KILLED=5)."""
        return _RUN_STATUS_NUMBERS[self]

    @classmethod
    def from_string(cls, status: str) -> RunStatus:
        return cls(status.upper())

    @classmethod
    def to_string(cls, status: RunStatus | str | int) -> str:
        if isinstance(status, int) and not isinstance(status, str):
            return next(s.value for s, n in _RUN_STATUS_NUMBERS.items() if n == status)
        return cls(status).value

    @staticmethod
    def is_terminated(status: str) -> bool:
        return status in (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)

    @staticmethod
    def all_status() -> list[str]:
        return [s.value for s in RunStatus]


_RUN_STATUS_NUMBERS = {
    RunStatus.RUNNING: 1,
    RunStatus.SCHEDULED: 2,
    RunStatus.FINISHED: 3,
    RunStatus.FAILED: 4,
    RunStatus.KILLED: 5,
}


class LifecycleStage(enum.StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"

    @classmethod
    def view_type_to_stages(cls, view_type: ViewType | int | None) -> list[LifecycleStage]:
        view = ViewType(view_type) if view_type is not None else ViewType.ACTIVE_ONLY
        return {
            ViewType.ACTIVE_ONLY: [cls.ACTIVE],
            ViewType.DELETED_ONLY: [cls.DELETED],
            ViewType.ALL: [cls.ACTIVE, cls.DELETED],
        }[view]


class ViewType(enum.IntEnum):
    ACTIVE_ONLY = 1
    DELETED_ONLY = 2
    ALL = 3

    @classmethod
    def from_string(cls, view: str) -> ViewType:
        try:
            return cls[view.upper()]
        except KeyError:
            raise ValueError(
                f"Unknown view type {view!r}; expected one of {[v.name for v in cls]}"
            ) from None

    @classmethod
    def to_string(cls, view: ViewType | int) -> str:
        return cls(view).name


class SourceType(enum.StrEnum):
    NOTEBOOK = "NOTEBOOK"
    JOB = "JOB"
    PROJECT = "PROJECT"
    LOCAL = "LOCAL"
    UNKNOWN = "UNKNOWN"


class LoggedModelStatus(enum.StrEnum):
    PENDING = "PENDING"
    READY = "READY"
    UPLOAD_FAILED = "UPLOAD_FAILED"
