"""Which run a patched call logs to: the thread's active run, or one started for the call."""

from __future__ import annotations

from dataclasses import dataclass

from mltrail.autolog.config import AutologConfig

AUTOLOGGING_TAG = "mlflow.autologging"


@dataclass(frozen=True)
class RunScope:
    run_id: str
    experiment_id: str
    managed: bool  # started by autologging, so autologging ends it


def begin(flavor: str, config: AutologConfig) -> RunScope | None:
    """The run to log into; None when `exclusive` keeps autologging out of the user's run."""
    from mltrail.tracking import fluent_runs

    active = fluent_runs.active_run()
    if active is not None:
        if config.exclusive:
            return None
        return RunScope(active.info.run_id, active.info.experiment_id, managed=False)
    tags = {AUTOLOGGING_TAG: flavor, **dict(config.extra_tags or {})}
    run = fluent_runs.start_run(tags=tags)
    return RunScope(run.info.run_id, run.info.experiment_id, managed=True)


def end(scope: RunScope, *, failed: bool) -> None:
    """End a run autologging started (user runs are left alone)."""
    if not scope.managed:
        return
    from mltrail.tracking import context, fluent_runs

    status = "FAILED" if failed else "FINISHED"
    active = fluent_runs.active_run()
    if active is not None and active.info.run_id == scope.run_id:
        fluent_runs.end_run(status)
    else:  # the user's code left other runs open on top of ours
        context.current_client().set_terminated(scope.run_id, status)
