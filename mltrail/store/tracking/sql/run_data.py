"""What runs record in the SQL store: metrics (history + latest), params and tags.

`log_batch` is the logging hot path: validation in Python (keys cached), then one transaction
with a fixed number of bulk statements whatever the batch size. Writers lock the run row
first, so concurrent batches to one run cannot interleave their read-compute-write steps.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Table, delete, insert, literal, select, union_all, update
from sqlalchemy.sql import ColumnElement

from mltrail.entities import LifecycleStage, Metric, PagedList, Param, RunData, RunTag
from mltrail.errors import InvalidParameter, NotFound
from mltrail.store.tracking.base import GET_METRIC_HISTORY_MAX_RESULTS
from mltrail.store.tracking.page_token import decode_offset, next_page_token
from mltrail.store.tracking.sql import schema as s
from mltrail.store.tracking.sql.engine import (
    AnyRow,
    StoreState,
    execute_many,
    insert_ignoring_duplicates,
    upsert,
)
from mltrail.store.tracking.validation import CleanBatch, check_run_name, clean_batch

RUN_NAME_TAG = "mlflow.runName"
DBL_MAX = sys.float_info.max
_METRIC_COLUMNS = (
    "step",
    "timestamp",
    "value",
    "is_nan",
    "model_id",
    "dataset_name",
    "dataset_digest",
)
_RUNS = s.runs.c


def run_not_found(run_id: str) -> NotFound:
    return NotFound(f"Run with id={run_id} not found")


def lock_active_run(conn: Connection, run_id: str) -> AnyRow:
    """The run's row, locked against concurrent writers; raises unless the run is active."""
    row = conn.execute(
        select(_RUNS.run_id, _RUNS.experiment_id, _RUNS.lifecycle_stage)
        .where(_RUNS.run_id == run_id)
        .with_for_update(key_share=True)  # PostgreSQL: FOR NO KEY UPDATE; FK checks still pass
    ).first()
    if row is None:
        raise run_not_found(run_id)
    if row.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidParameter(
            f"The run {run_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )
    return row


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


_METRIC_FIELDS = (
    "key", "value", "is_nan", "timestamp", "step", "model_id", "dataset_name", "dataset_digest",
)  # fmt: skip


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


def set_tags(conn: Connection, dialect: str, run_id: str, tags: Iterable[RunTag]) -> None:
    """Upsert run tags; a `mlflow.runName` tag renames the run too."""
    rows = [{"run_id": run_id, "key": t.key, "value": t.value} for t in tags]
    execute_many(conn, upsert(dialect, s.run_tags, ["value"]), rows)
    name = next((r["value"] for r in rows if r["key"] == RUN_NAME_TAG), None)
    if name is not None:
        conn.execute(update(s.runs).where(_RUNS.run_id == run_id).values(name=name))


def _insert_params(conn: Connection, run_id: str, params: Sequence[Param]) -> None:
    """Params are immutable: the same value again is a no-op, a different one is refused."""
    p = s.params.c
    query = select(p.key, p.value).where(p.run_id == run_id, p.key.in_([x.key for x in params]))
    existing = dict(conn.execute(query).all())  # .all(): a Result would pass for a mapping
    changed = [
        {"key": x.key, "old_value": existing[x.key], "new_value": x.value}
        for x in params
        if x.key in existing and existing[x.key] != x.value
    ]
    if changed:
        raise InvalidParameter(
            f"Changing param values is not allowed. Params were already logged='{changed}' "
            f"for run ID='{run_id}'."
        )
    new = [
        {"run_id": run_id, "key": x.key, "value": x.value} for x in params if x.key not in existing
    ]
    execute_many(conn, insert(s.params), new)


def _insert_metrics(conn: Connection, dialect: str, run_id: str, metrics: Sequence[Metric]) -> None:
    """Append history (exact duplicates ignored) and move `latest_metrics` forward per key."""
    history: dict[tuple[Any, ...], dict[str, Any]] = {}
    best: dict[str, dict[str, Any]] = {}
    for m in metrics:
        value, is_nan = encode_metric_value(m.value)
        row = {
            "run_id": run_id,
            "key": m.key,
            "step": int(m.step),
            "timestamp": int(m.timestamp),
            "value": value,
            "is_nan": is_nan,
            "model_id": m.model_id,
            "dataset_name": m.dataset_name,
            "dataset_digest": m.dataset_digest,
        }
        history.setdefault((m.key, row["step"], row["timestamp"], value, is_nan), row)
        current = best.get(m.key)
        if current is None or _rank(row) > _rank(current):
            best[m.key] = row
    execute_many(conn, insert_ignoring_duplicates(dialect, s.metrics), list(history.values()))
    latest = s.latest_metrics.c
    stored = {
        r.key: _rank(r._mapping)
        for r in conn.execute(
            select(latest.key, latest.step, latest.timestamp, latest.value).where(
                latest.run_id == run_id, latest.key.in_(list(best))
            )
        )
    }
    winners = [row for key, row in best.items() if key not in stored or _rank(row) > stored[key]]
    execute_many(conn, upsert(dialect, s.latest_metrics, _METRIC_COLUMNS), winners)


def _rank(row: Any) -> tuple[int, int, float]:
    """The latest value of a metric is the greatest (step, timestamp, stored value)."""
    return (row["step"], row["timestamp"], row["value"])


def load_run_data(conn: Connection, run_ids: Sequence[str]) -> dict[str, RunData]:
    """Params, tags and latest metrics of several runs in two queries."""
    params: dict[str, dict[str, str]] = {run_id: {} for run_id in run_ids}
    tags: dict[str, dict[str, str]] = {run_id: {} for run_id in run_ids}
    p, t = s.params.c, s.run_tags.c
    pairs = union_all(
        select(literal("p").label("kind"), p.run_id, p.key, p.value).where(p.run_id.in_(run_ids)),
        select(literal("t").label("kind"), t.run_id, t.key, t.value).where(t.run_id.in_(run_ids)),
    )
    for kind, run_id, key, value in conn.execute(pairs):
        (params if kind == "p" else tags)[run_id][key] = value
    metrics: dict[str, list[Metric]] = {run_id: [] for run_id in run_ids}
    latest = s.latest_metrics
    for run_id, *fields in conn.execute(
        select(latest.c.run_id, *metric_columns(latest))
        .where(latest.c.run_id.in_(run_ids))
        .order_by(latest.c.key)
    ):
        metrics[run_id].append(to_metric(*fields))
    return {
        run_id: RunData(tuple(metrics[run_id]), params[run_id], tags[run_id]) for run_id in run_ids
    }


def delete_run_rows(conn: Connection, runs_where: ColumnElement[bool]) -> None:
    """Hard-delete the matching runs and everything they recorded."""
    run_ids = select(_RUNS.run_id).where(runs_where)
    inputs = select(s.run_inputs.c.input_id).where(s.run_inputs.c.run_id.in_(run_ids))
    conn.execute(delete(s.input_tags).where(s.input_tags.c.input_id.in_(inputs)))
    for table in (s.run_inputs, s.metrics, s.latest_metrics, s.params, s.run_tags):
        conn.execute(delete(table).where(table.c.run_id.in_(run_ids)))
    conn.execute(delete(s.runs).where(runs_where))


class RunDataMixin(StoreState):
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        batch = clean_batch(
            metrics or (), params or (), tags or (), truncate=self._truncate_long_values
        )
        for tag in batch.tags:
            if tag.key == RUN_NAME_TAG:
                check_run_name(tag.value)
        self._db.write(lambda conn: self._write_batch(conn, run_id, batch))

    def _write_batch(self, conn: Connection, run_id: str, batch: CleanBatch) -> None:
        lock_active_run(conn, run_id)
        if batch.params:
            _insert_params(conn, run_id, batch.params)
        if batch.tags:
            set_tags(conn, self._db.dialect, run_id, batch.tags)
        if batch.metrics:
            _insert_metrics(conn, self._db.dialect, run_id, batch.metrics)

    def delete_tag(self, run_id: str, key: str) -> None:
        def work(conn: Connection) -> None:
            lock_active_run(conn, run_id)
            t = s.run_tags.c
            done = conn.execute(delete(s.run_tags).where(t.run_id == run_id, t.key == key))
            if done.rowcount == 0:
                raise NotFound(f"No tag with name: {key} in run with id {run_id}")

        self._db.write(work)

    def get_metric_history(
        self,
        run_id: str,
        metric_key: str,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Metric]:
        offset = decode_offset(page_token)
        m = s.metrics.c
        query = (
            select(*metric_columns(s.metrics))
            .where(m.run_id == run_id, m.key == metric_key)
            .order_by(m.step, m.timestamp, m.value, m.is_nan)  # the primary key's order
            .offset(offset)
        )
        if max_results is None:
            rows = self._db.read(lambda conn: conn.execute(query).all())
            return PagedList([to_metric(*row) for row in rows], None)
        if max_results < 1:
            raise InvalidParameter(
                f"Invalid value {max_results} for parameter 'max_results' supplied. "
                "It must be a positive integer"
            )
        limit = min(max_results, GET_METRIC_HISTORY_MAX_RESULTS)
        rows = self._db.read(lambda conn: conn.execute(query.limit(limit + 1)).all())
        page = PagedList([to_metric(*row) for row in rows[:limit]], None)
        page.token = next_page_token(offset, limit, len(rows) > limit)
        return page
