"""What the store API cannot express, done in the destination's own SQL tables: a run created
with its source id, and the source's timestamps kept on experiments, runs and registry rows.

Only for mltrail's SQL store, in one short transaction each, after the API did the rest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, insert, update

from mltrail.entities import Run
from mltrail.store.tracking.sql import schema as s

_RUN_NAME_TAG = "mlflow.runName"


def insert_run(engine: Engine, run: Run, experiment_id: str, artifact_location: str) -> str:
    """Create `run` under its own id, active, with its final status and times; return its
    artifact URI. Tags, params and metrics follow through the store's `log_batch`."""
    from mltrail.store.tracking.sql.experiments import join_location

    info = run.info
    artifact_uri = join_location(artifact_location, info.run_id, "artifacts")
    row = {
        "run_id": info.run_id,
        "experiment_id": int(experiment_id),
        "name": info.run_name or run.data.tags.get(_RUN_NAME_TAG, "") or info.run_id,
        "user_id": info.user_id or "",
        "status": info.status,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "lifecycle_stage": "active",
        "artifact_uri": artifact_uri,
    }
    with engine.begin() as conn:
        conn.execute(insert(s.runs).values(**row))
    return artifact_uri


def set_run_deleted_time(engine: Engine, run_id: str, deleted_time: int | None) -> None:
    if deleted_time is not None:
        _update(engine, s.runs, s.runs.c.run_id == run_id, deleted_time=deleted_time)


def set_experiment_times(
    engine: Engine, experiment_id: str, creation: int | None, last_update: int | None
) -> None:
    values = {"creation_time": creation, "last_update_time": last_update}
    values = {k: v for k, v in values.items() if v is not None}
    if values:
        where = s.experiments.c.experiment_id == int(experiment_id)
        _update(engine, s.experiments, where, **values)


def set_registry_times(
    engine: Engine, name: str, version: str | None, creation: int, last_update: int | None
) -> None:
    from mltrail.store.registry.sql import schema as r

    values = {"creation_timestamp": creation, "last_updated_timestamp": last_update or creation}
    if version is None:
        _update(engine, r.registered_models, r.registered_models.c.name == name, **values)
    else:
        table = r.model_versions
        where = (table.c.name == name) & (table.c.version == int(version))
        _update(engine, table, where, **values)


def _update(engine: Engine, table: Any, where: Any, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(update(table).where(where).values(**values))
