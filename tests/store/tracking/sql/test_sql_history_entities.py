"""Metric histories built by the fast path are ordinary `Metric` lists in every way a user can
tell (type, equality, hashing, repr, pickling, dataclass helpers, pandas), on every backend,
whether the points were packed in chunks or stored one row each."""

from __future__ import annotations

import dataclasses
import gc
import math
import pickle
from collections.abc import Iterator

import pytest

import mltrail
from mltrail.entities import Metric
from mltrail.entities.run import append_plain_metrics
from mltrail.store.tracking.sql import SqlTrackingStore
from mltrail.store.tracking.sql.history_chunks import PACK_MIN


@pytest.fixture
def store(db_uri: str) -> Iterator[SqlTrackingStore]:
    sql_store = SqlTrackingStore(db_uri)
    yield sql_store
    sql_store.close()


def _points(key: str, count: int) -> list[Metric]:
    return [Metric(key, 1.0 / (s + 1), 1000 + s, s) for s in range(count)]


@pytest.mark.parametrize("count", [PACK_MIN * 3, 5], ids=["chunks", "rows"])
def test_history_is_a_list_of_ordinary_metrics(store: SqlTrackingStore, count: int) -> None:
    import pandas as pd

    run_id = store.create_run("0", "u", 0, [], None).info.run_id
    expected = _points("loss", count)
    store.log_batch(run_id, expected)
    history = store.get_metric_history(run_id, "loss")
    assert isinstance(history, list)
    assert history == expected
    assert list(history) == expected
    assert [type(m) for m in history] == [Metric] * count
    assert [hash(m) for m in history] == [hash(m) for m in expected]
    assert repr(history[3]) == repr(expected[3])
    assert history[1:4] == expected[1:4]
    assert history[-1] == expected[-1]
    assert pickle.loads(pickle.dumps(history)) == expected
    assert dataclasses.asdict(history[2]) == dataclasses.asdict(expected[2])
    assert dataclasses.replace(history[2], value=7.0).value == 7.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        history[0].step = 9  # type: ignore[misc]
    assert [m.value for m in history] == [m.value for m in expected]
    pd.testing.assert_frame_equal(pd.DataFrame(history), pd.DataFrame(expected))


def test_client_history_is_the_whole_list(sqlite_uri: str) -> None:
    client = mltrail.MlflowClient(sqlite_uri)
    run_id = client.create_run("0").info.run_id
    expected = [*_points("m", PACK_MIN * 2), Metric("m", math.nan, 5, 10000)]
    client.log_batch(run_id, metrics=expected, synchronous=True)
    history = client.get_metric_history(run_id, "m")
    assert isinstance(history, list)
    assert len(history) == len(expected)
    assert history == expected
    assert getattr(history, "token", None) is None


def test_reading_leaves_the_collector_as_it_was(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 0, [], None).info.run_id
    store.log_batch(run_id, _points("loss", PACK_MIN * 2))
    assert gc.isenabled()
    store.get_metric_history(run_id, "loss")
    assert gc.isenabled()
    gc.disable()
    try:
        store.get_metric_history(run_id, "loss")
        assert not gc.isenabled()
    finally:
        gc.enable()
    kept = [object()]  # frozen by the "application": a read must not unfreeze it
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert len(store.get_metric_history(run_id, "loss")) == PACK_MIN * 2
        # Still frozen (a few frozen objects may be freed meanwhile; unfreezing empties it).
        assert gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()
    assert kept


def test_append_plain_metrics_stops_at_a_missing_value() -> None:
    built: list[Metric] = []
    assert append_plain_metrics(built, "k", [(1.0, 5, 0), (2.0, 6, 1)])
    assert built == [Metric("k", 1.0, 5, 0), Metric("k", 2.0, 6, 1)]
    assert not append_plain_metrics(built, "k", [(3.0, 7, 2), (None, 8, 3), (4.0, 9, 4)])
    assert [m.step for m in built] == [0, 1, 2]
