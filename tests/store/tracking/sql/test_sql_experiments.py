"""Experiment lifecycle details of the SQL store that the shared contract cannot pin down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update

from mltrail._time import now_ms
from mltrail.entities import LifecycleStage
from mltrail.store.tracking.sql import SqlTrackingStore
from mltrail.store.tracking.sql import schema as s


@pytest.fixture
def store(db_uri: str) -> Iterator[SqlTrackingStore]:
    sql_store = SqlTrackingStore(db_uri)
    yield sql_store
    sql_store.close()


def test_restore_keeps_a_run_deleted_in_the_same_millisecond(store: SqlTrackingStore) -> None:
    exp_id = store.create_experiment("e")
    kept = store.create_run(exp_id, "u", 0, [], None).info.run_id
    dropped = store.create_run(exp_id, "u", 0, [], None).info.run_id
    store.delete_run(dropped)
    # As if the clock had not moved on (or gone back) before the experiment's deletion.
    with store.engine.begin() as conn:
        later = now_ms() + 60_000
        conn.execute(update(s.runs).where(s.runs.c.run_id == dropped).values(deleted_time=later))
    store.delete_experiment(exp_id)
    store.restore_experiment(exp_id)
    assert store.get_run(kept).info.lifecycle_stage == LifecycleStage.ACTIVE
    assert store.get_run(dropped).info.lifecycle_stage == LifecycleStage.DELETED
