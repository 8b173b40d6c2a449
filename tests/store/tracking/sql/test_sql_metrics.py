"""Metric writes and history reads on plain DBAPI statements, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import dataclasses
import math
import pickle
from collections.abc import Iterator

import numpy as np
import pytest

from mltrail.entities import Metric
from mltrail.store.tracking.sql import SqlTrackingStore
from mltrail.store.tracking.sql.metrics import metric_rows


@pytest.fixture
def store(db_uri: str) -> Iterator[SqlTrackingStore]:
    sql_store = SqlTrackingStore(db_uri)
    yield sql_store
    sql_store.close()


def _run(store: SqlTrackingStore) -> str:
    return store.create_run("0", "u", 0, [], None).info.run_id


def test_special_rows_mixed_into_a_plain_batch(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    special = [
        Metric("m", math.nan, 10, 1),
        Metric("m", math.inf, 10, 2),
        Metric("m", -math.inf, 10, 3),
        Metric("m", 4.0, 10, 4, model_id="model-1"),
        Metric("m", 5.0, 10, 5, dataset_name="train", dataset_digest="abc"),
    ]
    plain = [Metric("m", 0.5, 10, 0), Metric("other", 1.5, 11, 7)]
    store.log_batch(run_id, plain[:1] + special + plain[1:] + special[:2])  # + duplicates
    history = store.get_metric_history(run_id, "m")
    assert history == [plain[0], *special]  # Metric equality treats NaN as equal
    assert math.isnan(history[1].value)
    assert [m.value for m in history[2:4]] == [math.inf, -math.inf]
    assert store.get_metric_history(run_id, "other") == [plain[1]]
    latest = {m.key: m for m in store.get_run(run_id).data.latest_metrics}
    assert latest == {"m": special[-1], "other": plain[1]}


def test_numpy_values_and_steps_are_stored_as_python_numbers(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    store.log_batch(
        run_id,
        [Metric("m", np.float32(0.25), np.int64(5), np.int32(2))],  # type: ignore[arg-type]
    )
    (point,) = store.get_metric_history(run_id, "m")
    assert (point.value, point.timestamp, point.step) == (0.25, 5, 2)
    assert (type(point.value), type(point.timestamp), type(point.step)) == (float, int, int)


def test_latest_value_of_each_key_within_and_across_batches(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    store.log_batch(
        run_id,
        [
            Metric("a", 1.0, 100, 2),
            Metric("a", 9.0, 100, 1),  # older step, later in the batch: loses
            Metric("b", 1.0, 100, 2),
            Metric("b", 3.0, 100, 2),  # same step and time, larger value: wins
            Metric("b", 2.0, 100, 2),
            Metric("c", 1.0, 200, 2),
            Metric("c", 5.0, 100, 2),  # older timestamp: loses
        ],
    )
    assert store.get_run(run_id).data.metrics == {"a": 1.0, "b": 3.0, "c": 1.0}
    store.log_batch(
        run_id,
        [
            Metric("a", 0.0, 50, 3),  # newer step wins whatever its time and value
            Metric("b", 0.0, 100, 1),  # older step never wins
            Metric("c", math.nan, 200, 2),  # NaN ranks as the 0 stored for it: loses to 1.0
            Metric("d", -1.0, 1, 0),  # a new key
        ],
    )
    assert store.get_run(run_id).data.metrics == {"a": 0.0, "b": 3.0, "c": 1.0, "d": -1.0}


def test_history_entities_are_real_frozen_metrics(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    points = [Metric("loss", 1.0 / (i + 1), 1000 + i, i) for i in range(5)]
    store.log_batch(run_id, points)
    history = store.get_metric_history(run_id, "loss")
    assert all(type(m) is Metric for m in history)
    assert history == points
    assert [hash(m) for m in history] == [hash(m) for m in points]
    assert [repr(m) for m in history] == [repr(m) for m in points]
    assert pickle.loads(pickle.dumps(history[0])) == points[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        history[0].value = 2.0  # type: ignore[misc]


def test_history_pages_across_special_rows(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    points = [Metric("m", float(i), 1, i) for i in range(5)]
    points[3] = Metric("m", math.nan, 1, 3)
    store.log_batch(run_id, points)
    pages, token = [], None
    while True:
        page = store.get_metric_history(run_id, "m", max_results=2, page_token=token)
        pages.append(list(page))
        if not (token := page.token):
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [m for p in pages for m in p] == points


def test_plain_batches_bind_five_columns_and_specials_bind_all() -> None:
    plain = metric_rows("r", [Metric("a", 1.0, 2, 3), Metric("a", 2.0, 2, 4)])
    assert plain.plain
    assert plain.rows == [("r", "a", 3, 2, 1.0), ("r", "a", 4, 2, 2.0)]
    assert plain.latest == [("r", "a", 4, 2, 2.0)]
    mixed = metric_rows("r", [Metric("a", 1.0, 2, 3), Metric("b", math.inf, 2, 3, "m")])
    assert not mixed.plain
    assert mixed.rows == [
        ("r", "a", 3, 2, 1.0, False, None, None, None),
        ("r", "b", 3, 2, 1.7976931348623157e308, False, "m", None, None),
    ]
    assert metric_rows("r", [Metric("a", 1.0, 2, 3)], full=True).rows[0][5:] == (
        False,
        None,
        None,
        None,
    )
