"""Fluent run lifecycle: `start_run` / `end_run`, the active run, and run lookups.

Runs nest per thread. A run left open when the interpreter exits is ended as FINISHED.
"""

from __future__ import annotations

import atexit
import logging
import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Protocol

from mltrail.entities import LifecycleStage, Metric, Run, RunStatus, RunTag
from mltrail.errors import InvalidParameter, MltrailError
from mltrail.settings import Settings
from mltrail.tracking import _values, context
from mltrail.tracking.client import PARENT_RUN_ID_TAG, MltrailClient
from mltrail.tracking.fluent_experiments import resolve_experiment_id

NOTE_TAG = "mlflow.note.content"
RUN_NAME_TAG = "mlflow.runName"
_log = logging.getLogger(__name__)
_exit_hook_installed = False


class _Monitor(Protocol):
    def start(self) -> None: ...

    def finish(self) -> None: ...


class ActiveRun(Run):
    """The run `start_run` made active (a `Run` snapshot); as a context manager it ends the
    run: FINISHED on normal exit, FAILED when an exception escapes."""

    _client: MltrailClient
    _monitor: _Monitor | None

    def __init__(self, run: Run, client: MltrailClient) -> None:
        super().__init__(run.info, run.data, run.inputs, run.outputs)
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_monitor", None)

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        status = RunStatus.FINISHED if exc_type is None else RunStatus.FAILED
        stack = context.run_stack()
        if any(r is self for r in stack):
            # Runs started inside this block and left open end with it.
            while stack and stack[-1] is not self:
                end_run(status)
            end_run(status)
        return exc_type is None


def start_run(
    run_id: str | None = None,
    experiment_id: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    parent_run_id: str | None = None,
    tags: Mapping[str, Any] | None = None,
    description: str | None = None,
    log_system_metrics: bool | None = None,
) -> ActiveRun:
    """Start a new run, or resume `run_id` (or MLFLOW_RUN_ID), and make it active."""
    stack = context.run_stack()
    client = context.current_client()
    parent_id = _parent_run_id(client, stack, nested, parent_run_id)
    resume_id = run_id or _take_run_id_from_env()
    extra_tags = _user_tags(tags, description)
    if resume_id:
        run = _resume(client, resume_id, extra_tags)
    else:
        if parent_id:
            extra_tags[PARENT_RUN_ID_TAG] = parent_id
        exp_id = str(experiment_id) if experiment_id is not None else resolve_experiment_id(client)
        run = _create(client, exp_id, run_name, extra_tags)
    active = ActiveRun(run, client)
    object.__setattr__(active, "_monitor", _system_metrics(client, run, log_system_metrics))
    stack.append(active)
    _install_exit_hook()
    return active


def _parent_run_id(
    client: MltrailClient, stack: list[ActiveRun], nested: bool, parent_run_id: str | None
) -> str | None:
    if not stack:
        if parent_run_id:
            client.get_run(parent_run_id)  # fails early when the parent does not exist
        return parent_run_id
    current = stack[-1].info.run_id
    if not nested:
        raise MltrailError(
            f"Run with UUID {current} is already active. To start a new run, first end the "
            "current run with mlflow.end_run(). To start a nested run, call start_run with "
            "nested=True"
        )
    if parent_run_id is not None and parent_run_id != current:
        raise MltrailError(
            f"Current run with UUID {current} does not match the specified parent_run_id "
            f"{parent_run_id}. To start a new nested run under the parent run with UUID "
            f"{current}, first end the current run with mlflow.end_run()."
        )
    return current


def _take_run_id_from_env() -> str | None:
    # Consumed once, as in MLflow: later runs of this process are new runs.
    values = [os.environ.pop(name, None) for name in Settings.env_names("run_id")]
    return next((v for v in values if v), None)


def _user_tags(tags: Mapping[str, Any] | None, description: str | None) -> dict[str, Any]:
    merged = dict(tags or {})
    if description is not None:
        if NOTE_TAG in merged and merged[NOTE_TAG] != description:
            raise InvalidParameter(
                f"Description is already set via the tag {NOTE_TAG} in tags. Remove the key "
                f"{NOTE_TAG} from the tags or omit the description."
            )
        merged[NOTE_TAG] = description
    return merged


def _resume(client: MltrailClient, run_id: str, extra_tags: Mapping[str, Any]) -> Run:
    run = client.get_run(run_id)
    if run.info.lifecycle_stage == LifecycleStage.DELETED:
        raise MltrailError(f"Cannot start run with ID {run_id} because it is in the deleted state.")
    client.update_run(run_id, RunStatus.RUNNING)
    if extra_tags:
        tags = [RunTag(k, v) for k, v in extra_tags.items()]
        client.log_batch(run_id, tags=tags, synchronous=True)
    return client.get_run(run_id)


def _create(
    client: MltrailClient, experiment_id: str, run_name: str | None, tags: Mapping[str, Any]
) -> Run:
    user_tags = {k: str(v) for k, v in tags.items()}
    run = client.create_run(
        experiment_id,
        tags=_default_run_tags(user_tags),
        run_name=run_name or user_tags.get(RUN_NAME_TAG),
    )
    _log_snapshot(client, run.info.run_id)
    return run


def _default_run_tags(user_tags: dict[str, str]) -> dict[str, str]:
    """User tags merged over the run-context tags (user, source, git, MLFLOW_RUN_CONTEXT)."""
    from mltrail.tracking.source import default_run_tags

    return default_run_tags(user_tags)


def _log_snapshot(client: MltrailClient, run_id: str) -> None:
    from mltrail.tracking.source import log_run_snapshot

    try:
        log_run_snapshot(lambda text, path: client.log_text(run_id, text, path))
    except Exception:
        # The snapshot (git diff, package list) is a convenience; the run must still start.
        _log.warning("Could not log the source snapshot of run %s", run_id, exc_info=True)


def _system_metrics(client: MltrailClient, run: Run, requested: bool | None) -> _Monitor | None:
    """A started system-metrics monitor when asked for, or enabled process-wide."""
    from mltrail import system_metrics

    if not (system_metrics.is_enabled() if requested is None else requested):
        return None

    def log_batch(run_id: str, metrics: list[Metric]) -> None:
        client.log_batch(run_id, metrics=metrics)

    monitor: _Monitor = system_metrics.SystemMetricsMonitor(
        run.info.run_id, log_batch=log_batch, settings=Settings.from_env()
    )
    monitor.start()
    return monitor


def end_run(status: str = RunStatus.FINISHED) -> None:
    """End this thread's innermost active run (no-op when there is none)."""
    stack = context.run_stack()
    if not stack:
        return
    final = _values.run_status(status)
    active = stack.pop()
    context.set_last_ended_run(active)
    _finish(active, final)


def _finish(active: ActiveRun, status: RunStatus) -> None:
    # The monitor's last samples are queued before the run's final flush.
    if active._monitor is not None:
        active._monitor.finish()
    active._client.set_terminated(active.info.run_id, status)


def active_run() -> ActiveRun | None:
    return context.active_run()


def last_active_run() -> Run | None:
    """The active run, else the run this thread ended last, as currently stored."""
    run = context.active_run() or context.last_ended_run()
    return run._client.get_run(run.info.run_id) if run is not None else None


def get_run(run_id: str) -> Run:
    return context.current_client().get_run(run_id)


def get_parent_run(run_id: str) -> Run | None:
    return context.current_client().get_parent_run(run_id)


def delete_run(run_id: str) -> None:
    context.current_client().delete_run(run_id)


def restore_run(run_id: str) -> None:
    context.current_client().restore_run(run_id)


def target(run_id: str | None) -> tuple[MltrailClient, str]:
    """The client and run a logging call writes to: `run_id`, else the active run."""
    if run_id is not None:
        return context.current_client(), run_id
    active = context.active_run() or start_run()
    return active._client, active.info.run_id


def _install_exit_hook() -> None:
    global _exit_hook_installed
    if not _exit_hook_installed:
        atexit.register(_end_open_runs)
        _exit_hook_installed = True


def _end_open_runs() -> None:
    for stack in context.every_run_stack():
        while stack:
            active = stack.pop()
            try:
                _finish(active, RunStatus.FINISHED)
            except Exception:
                _log.exception("Could not end run %s at exit", active.info.run_id)
