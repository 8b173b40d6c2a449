"""The fluent API's state: the active-run stack and the last ended run (per thread, as in MLflow),
the active experiment (per process) and one client per tracking URI.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

from mltrail.tracking import uris

if TYPE_CHECKING:
    from mltrail.tracking.client import MltrailClient
    from mltrail.tracking.fluent_runs import ActiveRun

_all_stacks: list[list[ActiveRun]] = []
_stacks_lock = threading.Lock()


class _ThreadRuns(threading.local):
    def __init__(self) -> None:
        self.stack: list[ActiveRun] = []
        self.last: ActiveRun | None = None
        with _stacks_lock:
            _all_stacks.append(self.stack)


_thread = _ThreadRuns()
_active_experiment_id: str | None = None
_clients: dict[str, MltrailClient] = {}


def run_stack() -> list[ActiveRun]:
    """This thread's active runs, innermost last."""
    return _thread.stack


def every_run_stack() -> list[list[ActiveRun]]:
    """The stacks of every thread that used the fluent API (for ending runs at exit)."""
    with _stacks_lock:
        return list(_all_stacks)


def active_run() -> ActiveRun | None:
    stack = _thread.stack
    return stack[-1] if stack else None


def last_ended_run() -> ActiveRun | None:
    return _thread.last


def set_last_ended_run(run: ActiveRun) -> None:
    _thread.last = run


def active_experiment_id() -> str | None:
    return _active_experiment_id


def set_active_experiment_id(experiment_id: str | None) -> None:
    global _active_experiment_id
    _active_experiment_id = experiment_id


def current_client() -> MltrailClient:
    """The client for the process's current tracking URI (one per URI, reused)."""
    uri = uris.get_tracking_uri()
    client = _clients.get(uri)
    if client is None:
        from mltrail.tracking.client import MltrailClient

        client = _clients[uri] = MltrailClient(uri)
    return client


def reset() -> None:
    """Forget this thread's runs, the active experiment and cached clients (for tests)."""
    global _active_experiment_id
    _thread.stack.clear()
    _thread.last = None
    _active_experiment_id = None
    _clients.clear()


def reset_all() -> None:
    """Back to a fresh process (for tests): end this thread's open runs, forget every
    thread's runs, the set URIs and experiment, and close the cached stores."""
    from mltrail.tracking import _stores, fluent_runs

    while run_stack():
        with contextlib.suppress(Exception):
            fluent_runs.end_run()  # pops the run before anything can fail
    for stack in every_run_stack():
        stack.clear()
    reset()
    uris.reset()
    _stores.clear()
