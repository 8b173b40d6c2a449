"""Metrics in the SQL store: history rows and the latest value per key, written and read in bulk.

Both are hot paths and run as plain DBAPI statements (see driver.py): a `log_batch` of 1000
metrics is one executemany into the history and one into `latest_metrics`, and a history read
is one query (plus one for the packed chunks of long histories, see history_chunks.py) whose
rows become `Metric`s through `append_plain_metrics`, several times cheaper than the dataclass's
own constructor. Values are stored as the schema says: NaN as 0 + `is_nan`, +/-Inf as +/-DBL_MAX.
"""

from __future__ import annotations

import gc
import math
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Final, NamedTuple

from sqlalchemy import Column, Connection, Table
from sqlalchemy.engine import Dialect

from mltrail.entities import Metric, PagedList
from mltrail.entities.run import append_plain_metrics
from mltrail.store.tracking.sql import driver, history_chunks

DBL_MAX = sys.float_info.max
_COLUMNS = (
    "run_id", "key", "step", "timestamp", "value", "is_nan",
    "model_id", "dataset_name", "dataset_digest",
)  # fmt: skip
# Most batches have no NaN, model or dataset: their rows bind the first five columns only and
# the statement fills in these (binding fewer parameters makes executemany much cheaper).
_PLAIN = {"is_nan": "FALSE", "model_id": "NULL", "dataset_name": "NULL", "dataset_digest": "NULL"}
_PLAIN_EXTRAS = (False, None, None, None)
# Positions in a row.
_KEY: Final = 1
_STEP: Final = 2
_TIMESTAMP: Final = 3
_VALUE: Final = 4
_IS_NAN: Final = 5
_MODEL_ID: Final = 6  # then dataset name and digest
_NO_MODEL = (None, None, None)
# The latest value of a metric is the one with the greatest (step, timestamp, stored value).
_RANK = ("step", "timestamp", "value")
_HISTORY_WHERE = (
    " FROM {metrics} WHERE {run_id} = ? AND {key} = ?"
    " ORDER BY {step}, {timestamp}, {value}, {is_nan} LIMIT ? OFFSET ?"  # the primary key's order
)
# Plain rows (value, timestamp, step) take the fast constructor; the value is NULL in rows that
# need more (NaN, +/-Inf, a model or dataset), and then the full columns are read instead.
_PLAIN_HISTORY = (
    "SELECT CASE WHEN {is_nan} = ? OR {value} >= ? OR {value} <= ? OR {model_id} IS NOT NULL"
    " OR {dataset_name} IS NOT NULL OR {dataset_digest} IS NOT NULL THEN NULL ELSE {value} END,"
    " {timestamp}, {step}" + _HISTORY_WHERE
)
_FULL_HISTORY = (
    "SELECT {value}, {is_nan}, {timestamp}, {step}, {model_id}, {dataset_name}, {dataset_digest}"
    + _HISTORY_WHERE
)
_STORED_LATEST = (
    "SELECT {key}, {step}, {timestamp}, {value} FROM {latest_metrics}"
    " WHERE {run_id} = ? AND {key} IN (?*)"
)
_METRIC_FIELDS = (
    "key", "value", "is_nan", "timestamp", "step", "model_id", "dataset_name", "dataset_digest",
)  # fmt: skip


def encode_metric_value(value: float) -> tuple[float, bool]:
    """(stored value, is_nan): NaN becomes 0 + flag, +/-Inf +/-DBL_MAX (MySQL has neither)."""
    number = float(value)
    if math.isnan(number):
        return 0.0, True
    if math.isinf(number):
        return math.copysign(DBL_MAX, number), False
    return number, False


def decode_metric_value(value: float, is_nan: bool) -> float:
    if is_nan:
        return math.nan
    if abs(value) == DBL_MAX:
        return math.copysign(math.inf, value)
    return value


def metric_columns(table: Table) -> list[Column[Any]]:
    """The columns `to_metric` takes, in its argument order (positional reads are fastest)."""
    return [table.c[name] for name in _METRIC_FIELDS]


def to_metric(
    key: str,
    value: float,
    is_nan: bool,
    timestamp: int,
    step: int,
    model_id: str | None,
    dataset_name: str | None,
    dataset_digest: str | None,
) -> Metric:
    if is_nan or not -DBL_MAX < value < DBL_MAX:
        value = decode_metric_value(value, is_nan)
    return Metric(key, value, timestamp, step, model_id, dataset_name, dataset_digest)


# --- writing ----------------------------------------------------------------------------------


class _WriteSql(NamedTuple):
    history: str  # insert one history row; an identical row already stored is skipped
    latest: str  # upsert the latest value of a key (SQLite/PostgreSQL: only if newer)
    plain_history: str  # the same for plain rows
    plain_latest: str
    stored_latest: str | None  # MySQL only: read the stored latest values to compare first


@lru_cache(maxsize=16)
def _write_sql(dialect: Dialect) -> _WriteSql:
    keys = ("run_id", "key")
    if driver.is_mysql(dialect):
        # MySQL's upsert has no WHERE: the winners are picked in Python (the run row is
        # locked, so nobody writes in between).
        # PyMySQL batches executemany rows only when every value is a parameter: no plain rows.
        history = driver.insert_ignoring_duplicates(dialect, "metrics", _COLUMNS)
        latest = driver.upsert(dialect, "latest_metrics", _COLUMNS, keys)
        return _WriteSql(history, latest, history, latest, _STORED_LATEST)

    def upsert_latest(constants: dict[str, str]) -> str:
        return driver.upsert(
            dialect, "latest_metrics", _COLUMNS, keys, constants, when_greater=_RANK
        )

    return _WriteSql(
        driver.insert_ignoring_duplicates(dialect, "metrics", _COLUMNS),
        upsert_latest({}),
        driver.insert_ignoring_duplicates(dialect, "metrics", _COLUMNS, _PLAIN),
        upsert_latest(_PLAIN),
        None,
    )


class MetricRows(NamedTuple):
    rows: list[tuple[Any, ...]]  # (run_id, key, step, timestamp, value[, is_nan, model, ...])
    latest: list[tuple[Any, ...]]  # the row of each key with the greatest rank
    plain: bool  # rows hold the first five columns only


def metric_rows(run_id: str, metrics: Sequence[Metric], *, full: bool = False) -> MetricRows:
    """Database rows of validated metrics and each key's latest, in one pass; plain rows
    unless some metric needs more columns, or `full` asks for them."""
    rows: list[tuple[Any, ...]] = []
    extras: dict[int, tuple[bool, str | None, str | None, str | None]] = {}
    latest: dict[str, int] = {}  # key -> index of its greatest row
    for index, metric in enumerate(metrics):
        key, value, step, timestamp = metric.key, metric.value, metric.step, metric.timestamp
        if value.__class__ is not float:
            value = float(value)
        is_nan = False
        if not -DBL_MAX <= value <= DBL_MAX:  # NaN or +/-Inf
            value, is_nan = encode_metric_value(value)
        if step.__class__ is not int:  # e.g. a numpy integer, which drivers do not bind
            step = int(step)
        if timestamp.__class__ is not int:
            timestamp = int(timestamp)
        model, dataset, digest = metric.model_id, metric.dataset_name, metric.dataset_digest
        if is_nan or model is not None or dataset is not None or digest is not None:
            extras[index] = (is_nan, model, dataset, digest)
        rows.append((run_id, key, step, timestamp, value))
        best = latest.get(key)
        if best is None:
            latest[key] = index
            continue
        other = rows[best]
        if step > other[_STEP] or (
            step == other[_STEP] and (timestamp, value) > (other[_TIMESTAMP], other[_VALUE])
        ):
            latest[key] = index
    plain = not (extras or full)
    if not plain:
        rows = [row + extras.get(index, _PLAIN_EXTRAS) for index, row in enumerate(rows)]
    return MetricRows(rows, [rows[index] for index in latest.values()], plain)


def write_metrics(conn: Connection, run_id: str, metrics: Sequence[Metric]) -> None:
    """Append history (exact duplicates ignored) and move `latest_metrics` forward per key.

    The caller holds the run's row lock, so concurrent batches to one run do not interleave.
    """
    sql = _write_sql(conn.dialect)
    rows, latest, plain = metric_rows(run_id, metrics, full=driver.is_mysql(conn.dialect))
    rows = _pack_long_runs(conn, run_id, rows, plain)
    driver.execute_many(conn, sql.plain_history if plain else sql.history, rows)
    if sql.stored_latest is not None:
        latest = _newer_than_stored(conn, sql.stored_latest, run_id, latest)
    driver.execute_many(conn, sql.plain_latest if plain else sql.latest, latest)


def _pack_long_runs(
    conn: Connection, run_id: str, rows: list[tuple[Any, ...]], plain: bool
) -> list[tuple[Any, ...]]:
    """Store the keys with many plain points in this batch as chunks; return the other rows."""
    if len(rows) < history_chunks.PACK_MIN:  # e.g. a synchronous `log_metric`: nothing to pack
        return rows
    counts = Counter(row[_KEY] for row in rows if plain or row[_MODEL_ID:] == _NO_MODEL)
    packed = {key for key, count in counts.items() if count >= history_chunks.PACK_MIN}
    if not packed:
        return rows
    points: dict[str, list[history_chunks.Point]] = {key: [] for key in packed}
    kept: list[tuple[Any, ...]] = []
    for row in rows:
        if row[_KEY] in packed and (plain or row[_MODEL_ID:] == _NO_MODEL):
            value = row[_VALUE] if plain else decode_metric_value(row[_VALUE], row[_IS_NAN])
            points[row[_KEY]].append((row[_STEP], row[_TIMESTAMP], value))
        else:
            kept.append(row)
    history_chunks.write(conn, run_id, points)
    return kept


def _newer_than_stored(
    conn: Connection, template: str, run_id: str, latest: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    keys = [row[_KEY] for row in latest]
    query = driver.render(conn.dialect, template, len(keys))
    stored = {key: tuple(rank) for key, *rank in driver.fetch(conn, query, [run_id, *keys])}
    return [
        row
        for row in latest
        if row[_KEY] not in stored or (row[_STEP], row[_TIMESTAMP], row[_VALUE]) > stored[row[_KEY]]
    ]


# --- reading history --------------------------------------------------------------------------


def read_history(
    conn: Connection, run_id: str, key: str, offset: int, limit: int | None
) -> PagedList[Metric]:
    """One page of a metric's history in (step, timestamp, value) order (no next-page token)."""
    chunks = history_chunks.read(conn, run_id, key)
    if chunks:
        rows = _read_history_rows(conn, run_id, key, 0, None)
        with _collection_paused():
            return history_chunks.merge(key, chunks, rows, offset, limit)
    return _read_history_rows(conn, run_id, key, offset, limit)


def _read_history_rows(
    conn: Connection, run_id: str, key: str, offset: int, limit: int | None
) -> PagedList[Metric]:
    found: PagedList[Metric] = PagedList((), None)
    page = (sys.maxsize if limit is None else limit, offset)
    plain = driver.render(conn.dialect, _PLAIN_HISTORY)
    special = (True, DBL_MAX, -DBL_MAX)
    with _collection_paused(), driver.stream(conn, plain, (*special, run_id, key, *page)) as rows:
        if append_plain_metrics(found, key, rows):
            return found
    # Some row holds more than (value, timestamp, step): read the full columns.
    full = driver.fetch(conn, driver.render(conn.dialect, _FULL_HISTORY), (run_id, key, *page))
    return PagedList([to_metric(key, *row) for row in full], None)


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects of a history being built.

    Every 700 new objects start a collection, and as the new objects survive, some of those are
    full passes over the whole heap: for a 100,000-point history that doubles the cost. So the
    collector is paused while the history is built; then the new objects, which hold no cycles,
    are moved straight to the oldest generation (`freeze` + `unfreeze`, as surviving two young
    collections would), sparing the young collection that would otherwise walk all of them at
    the next allocation. Other young objects move with them (any cyclic garbage among them is
    collected by the next full collection instead); objects the application froze (before a
    fork) stay frozen, as then nothing is moved.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


_LATEST = (
    "SELECT {run_id}, {key}, {value}, {is_nan}, {timestamp}, {step}, {model_id}, {dataset_name},"
    " {dataset_digest} FROM {latest_metrics} WHERE {run_id} IN (?*) ORDER BY {key}"
)


def load_latest(conn: Connection, run_ids: Sequence[str]) -> dict[str, list[Metric]]:
    """The latest value of every metric of each run, by key."""
    found: dict[str, list[Metric]] = {run_id: [] for run_id in run_ids}
    if not run_ids:
        return found
    query = driver.render(conn.dialect, _LATEST, len(run_ids))
    for run_id, *fields in driver.fetch(conn, query, run_ids):
        found[run_id].append(to_metric(*fields))
    return found
