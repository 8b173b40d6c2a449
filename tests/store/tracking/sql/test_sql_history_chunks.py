"""Long histories stored as packed chunks read back exactly as row-per-point histories do."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import Table, func, select

from mltrail.entities import Metric
from mltrail.store.tracking.sql import SqlTrackingStore, schema
from mltrail.store.tracking.sql.history_chunks import PACK_MIN
from mltrail.store.tracking.sql.history_sample import spread_steps


@pytest.fixture
def store(db_uri: str) -> Iterator[SqlTrackingStore]:
    sql_store = SqlTrackingStore(db_uri)
    yield sql_store
    sql_store.close()


def _run(store: SqlTrackingStore) -> str:
    return store.create_run("0", "u", 0, [], None).info.run_id


def _count(store: SqlTrackingStore, table: Table) -> int:
    query = select(func.count()).select_from(table)
    return int(store._db.read(lambda conn: conn.execute(query).scalar_one()))


def _points(key: str, steps: range, stamp: int = 1000) -> list[Metric]:
    return [Metric(key, 1.0 / (s + 1), stamp + s, s) for s in steps]


def test_a_long_batch_is_one_chunk_and_reads_back_in_order(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    points = _points("loss", range(500))
    shuffled = random.Random(7).sample(points, len(points))
    store.log_batch(run_id, shuffled + _points("short", range(3)))
    assert _count(store, schema.metric_chunks) == 1
    assert _count(store, schema.metrics) == 3  # the short key stays rows
    history = store.get_metric_history(run_id, "loss")
    assert history == points
    assert all(type(m) is Metric for m in history)
    with pytest.raises(dataclasses.FrozenInstanceError):
        history[0].value = 2.0  # type: ignore[misc]
    assert store.get_run(run_id).data.metrics["loss"] == points[-1].value


def test_resending_a_batch_changes_nothing(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    batch = _points("loss", range(PACK_MIN)) * 2  # duplicates inside the batch, too
    store.log_batch(run_id, batch)
    store.log_batch(run_id, batch)
    assert _count(store, schema.metric_chunks) == 1
    assert store.get_metric_history(run_id, "loss") == batch[:PACK_MIN]


def test_special_values_and_models_survive_packing(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    points = _points("m", range(PACK_MIN))
    special = [
        Metric("m", math.nan, 1, 1000),
        Metric("m", math.inf, 1, 1001),
        Metric("m", -math.inf, 1, 1002),
        Metric("m", 7.0, 1, 1003, model_id="model-1"),  # stays a row: it names a model
    ]
    store.log_batch(run_id, points + special)
    history = store.get_metric_history(run_id, "m")
    assert history == points + special
    assert history[-1].model_id == "model-1"


def test_chunks_and_rows_interleave_by_step(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    first, later = _points("loss", range(0, 100)), _points("loss", range(200, 300))
    between = _points("loss", range(100, 103))  # a short batch: rows
    overlapping = _points("loss", range(50, 50 + PACK_MIN), stamp=5000)  # same steps, new times
    for batch in (later, between, first, overlapping):
        store.log_batch(run_id, batch)
    expected = sorted(first + between + later + overlapping, key=lambda m: (m.step, m.timestamp))
    assert store.get_metric_history(run_id, "loss") == expected


@pytest.mark.parametrize("overlap", [False, True])
def test_pages_cross_chunk_boundaries(store: SqlTrackingStore, overlap: bool) -> None:
    run_id = _run(store)
    batches = [_points("loss", range(start, start + 100)) for start in (0, 100, 200)]
    if overlap:
        batches.append(_points("loss", range(150, 150 + PACK_MIN), stamp=9000))
    for batch in batches:
        store.log_batch(run_id, batch)
    everything = store.get_metric_history(run_id, "loss")
    pages, token = [], None
    while True:
        page = store.get_metric_history(run_id, "loss", max_results=70, page_token=token)
        pages.extend(page)
        token = page.token
        if not token:
            break
    assert pages == everything
    assert len(everything) == 300 + (PACK_MIN if overlap else 0)


def test_deleting_the_run_deletes_its_chunks(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    store.log_batch(run_id, _points("loss", range(PACK_MIN)))
    store._db.write(lambda conn: conn.execute(schema.runs.delete()))
    assert _count(store, schema.metric_chunks) == 0


@pytest.mark.parametrize("overlap", [False, True], ids=["chunks-in-a-row", "overlapping-chunks"])
@pytest.mark.parametrize(("start", "end"), [(None, None), (150, 420), (290, 305)])
def test_sampled_history_matches_sampling_the_whole_history(
    store: SqlTrackingStore, start: int | None, end: int | None, overlap: bool
) -> None:
    run_id = _run(store)
    for first in range(0, 400, 100):
        store.log_batch(run_id, _points("loss", range(first, first + 100)))  # chunks
    if overlap:  # a second pass over some steps (a resumed run): more points at those steps
        store.log_batch(run_id, _points("loss", range(250, 350), stamp=5000))
    store.log_batch(run_id, _points("loss", range(400, 403)))  # rows
    store.log_batch(run_id, [Metric("loss", 9.0, 1, 300, model_id="m-1")])  # a row at a chunk step
    low, high = (-(2**63), 2**63) if start is None else (start, end)
    everything = [m for m in store.get_metric_history(run_id, "loss") if low <= m.step <= high]
    keep = spread_steps(sorted({m.step for m in everything}), 25)
    expected = [m for m in everything if m.step in keep]
    sampled = store.sample_metric_history(run_id, "loss", 25, start, end)
    assert sampled == expected
    assert len({m.step for m in sampled}) == min(25, len({m.step for m in everything}))
