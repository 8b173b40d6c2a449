"""What runs record in the SQL store: params, tags and (through metrics.py) metrics.

`log_batch` is the logging hot path: validation in Python (keys cached), then one transaction
with a fixed number of plain DBAPI statements (driver.py) whatever the batch size. Writers lock
the run row first, so concurrent batches to one run cannot interleave their read-compute-write
steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Connection, delete, select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement

from mltrail.entities import LifecycleStage, Metric, PagedList, Param, RunData, RunTag
from mltrail.errors import InvalidParameter, NotFound
from mltrail.store.tracking.base import GET_METRIC_HISTORY_MAX_RESULTS
from mltrail.store.tracking.page_token import decode_offset, next_page_token
from mltrail.store.tracking.sql import driver
from mltrail.store.tracking.sql import schema as s
from mltrail.store.tracking.sql.engine import StoreState
from mltrail.store.tracking.sql.history_sample import read_sampled_history
from mltrail.store.tracking.sql.metrics import load_latest, read_history, write_metrics
from mltrail.store.tracking.validation import CleanBatch, check_run_name, clean_batch

RUN_NAME_TAG = "mlflow.runName"
_RUNS = s.runs.c
_LOCK = "SELECT {run_id}, {experiment_id}, {lifecycle_stage} FROM {runs} WHERE {run_id} = ?"
# PostgreSQL: FOR NO KEY UPDATE still lets other transactions insert rows referencing the run.
_LOCK_CLAUSE = {
    "postgresql": " FOR NO KEY UPDATE",
    "mysql": " FOR UPDATE",
    "mariadb": " FOR UPDATE",
}
_RENAME = "UPDATE {runs} SET {name} = ? WHERE {run_id} = ?"
_STORED_PARAMS = "SELECT {key}, {value} FROM {params} WHERE {run_id} = ? AND {key} IN (?*)"
_PARAMS_AND_TAGS = (
    "SELECT 0, {run_id}, {key}, {value} FROM {params} WHERE {run_id} IN (?*)"
    " UNION ALL SELECT 1, {run_id}, {key}, {value} FROM {run_tags} WHERE {run_id} IN (?*)"
)
_NEW_PARAM = "INSERT INTO {params} ({run_id}, {key}, {value}) VALUES (?, ?, ?)"
_KEY_VALUE = ("run_id", "key", "value")


class LockedRun(NamedTuple):
    run_id: str
    experiment_id: int
    lifecycle_stage: str


def run_not_found(run_id: str) -> NotFound:
    return NotFound(f"Run with id={run_id} not found")


def lock_active_run(conn: Connection, run_id: str) -> LockedRun:
    """The run's row, locked against concurrent writers; raises unless the run is active."""
    lock = _LOCK + _LOCK_CLAUSE.get(conn.dialect.name, "")  # SQLite: BEGIN IMMEDIATE did it
    rows = driver.fetch(conn, driver.render(conn.dialect, lock), (run_id,))
    if not rows:
        raise run_not_found(run_id)
    row = LockedRun(*rows[0])
    if row.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidParameter(
            f"The run {run_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )
    return row


@lru_cache(maxsize=16)
def _tag_upsert(dialect: Dialect) -> str:
    return driver.upsert(dialect, "run_tags", _KEY_VALUE, ("run_id", "key"))


def set_tags(conn: Connection, run_id: str, tags: Iterable[RunTag]) -> None:
    """Upsert run tags; a `mlflow.runName` tag renames the run too."""
    rows = [(run_id, t.key, t.value) for t in tags]
    driver.execute_many(conn, _tag_upsert(conn.dialect), rows)
    name = next((value for _, key, value in rows if key == RUN_NAME_TAG), None)
    if name is not None:
        driver.execute(conn, driver.render(conn.dialect, _RENAME), (name, run_id))


def _insert_params(conn: Connection, run_id: str, params: Sequence[Param]) -> None:
    """Params are immutable: the same value again is a no-op, a different one is refused."""
    keys = [x.key for x in params]
    query = driver.render(conn.dialect, _STORED_PARAMS, len(keys))
    existing = dict(driver.fetch(conn, query, [run_id, *keys]))
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
    new = [(run_id, x.key, x.value) for x in params if x.key not in existing]
    driver.execute_many(conn, driver.render(conn.dialect, _NEW_PARAM), new)


def load_run_data(conn: Connection, run_ids: Sequence[str]) -> dict[str, RunData]:
    """Params, tags and latest metrics of several runs in two queries."""
    params: dict[str, dict[str, str]] = {run_id: {} for run_id in run_ids}
    tags: dict[str, dict[str, str]] = {run_id: {} for run_id in run_ids}
    if not run_ids:
        return {}
    query = driver.render(conn.dialect, _PARAMS_AND_TAGS, len(run_ids))
    for kind, run_id, key, value in driver.fetch(conn, query, [*run_ids, *run_ids]):
        (tags if kind else params)[run_id][key] = value
    metrics = load_latest(conn, run_ids)
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
            set_tags(conn, run_id, batch.tags)
        if batch.metrics:
            write_metrics(conn, run_id, batch.metrics)

    def delete_tag(self, run_id: str, key: str) -> None:
        def work(conn: Connection) -> None:
            lock_active_run(conn, run_id)
            t = s.run_tags.c
            done = conn.execute(delete(s.run_tags).where(t.run_id == run_id, t.key == key))
            if done.rowcount == 0:
                raise NotFound(f"No tag with name: {key} in run with id {run_id}")

        self._db.write(work)

    def sample_metric_history(
        self,
        run_id: str,
        metric_key: str,
        max_points: int,
        start_step: int | None = None,
        end_step: int | None = None,
    ) -> list[Metric]:
        """Every point of at most `max_points` steps spread evenly over the steps in range."""
        return self._db.read(
            lambda conn: read_sampled_history(
                conn, run_id, metric_key, max_points, start_step, end_step
            )
        )

    def get_metric_history(
        self,
        run_id: str,
        metric_key: str,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Metric]:
        offset = decode_offset(page_token)
        if max_results is None:
            return self._db.read(lambda conn: read_history(conn, run_id, metric_key, offset, None))
        if max_results < 1:
            raise InvalidParameter(
                f"Invalid value {max_results} for parameter 'max_results' supplied. "
                "It must be a positive integer"
            )
        limit = min(max_results, GET_METRIC_HISTORY_MAX_RESULTS)
        # One extra row tells whether there is a next page.
        page = self._db.read(lambda conn: read_history(conn, run_id, metric_key, offset, limit + 1))
        page.token = next_page_token(offset, limit, len(page) > limit)
        del page[limit:]
        return page
