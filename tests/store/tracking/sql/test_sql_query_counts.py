"""No N+1: reading and writing cost a fixed number of statements whatever the size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from mltrail.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag
from mltrail.store.tracking.sql import SqlTrackingStore


@pytest.fixture
def store(db_uri: str) -> Iterator[SqlTrackingStore]:
    sql_store = SqlTrackingStore(db_uri)
    yield sql_store
    sql_store.close()


@contextmanager
def counting(store: SqlTrackingStore) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SELECT 1", "PRAGMA")):
            statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def _full_run(store: SqlTrackingStore, exp_id: str, i: int) -> str:
    run_id = store.create_run(exp_id, "u", i, [RunTag("t", "v")], None).info.run_id
    store.log_batch(run_id, [Metric(f"m{k}", 1.0, 1, 0) for k in range(3)], [Param("p", "1")])
    dataset = Dataset(f"d{i}", "digest", "local", "{}")
    store.log_inputs(run_id, [DatasetInput(dataset, (InputTag("mlflow.data.context", "x"),))])
    return run_id


def _cost(store: SqlTrackingStore, action: Any) -> int:
    with counting(store) as statements:
        action()
    return len(statements)


def test_search_and_get_run_cost_does_not_grow_with_runs(store: SqlTrackingStore) -> None:
    small, large = store.create_experiment("small"), store.create_experiment("large")
    run_id = _full_run(store, small, 0)
    for i in range(2):
        _full_run(store, small, i + 1)
    for i in range(25):
        _full_run(store, large, i)
    few = _cost(store, lambda: store.search_runs([small]))
    many = _cost(store, lambda: store.search_runs([large]))
    assert few == many <= 6
    assert _cost(store, lambda: store.get_run(run_id)) <= 5
    assert len(store.search_runs([large])[0].inputs.dataset_inputs) == 1


def test_log_batch_cost_does_not_grow_with_batch_size(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 0, [], None).info.run_id

    def batch(n: int, offset: int) -> Any:
        metrics = [Metric(f"m{i % 50}", float(i), 1, offset + i) for i in range(n)]
        params = [Param(f"p{offset}-{i}", "v") for i in range(min(n, 100))]
        tags = [RunTag(f"t{i}", "v") for i in range(min(n, 100))]
        return lambda: store.log_batch(run_id, metrics, params, tags)

    assert _cost(store, batch(2, 0)) == _cost(store, batch(800, 10_000)) <= 7
