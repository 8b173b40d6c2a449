"""Runs in the SQL store: create, read (one or a page, in bulk), update, soft delete, purge.

Reading runs never costs one query per run: `load_runs` fetches a whole page with a fixed
number of IN-list queries (runs, params+tags, latest metrics, inputs, input tags).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, select, update

from mltrail._time import now_ms
from mltrail.entities import (
    LifecycleStage,
    PagedList,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)
from mltrail.errors import InvalidParameter
from mltrail.store.tracking.base import SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD
from mltrail.store.tracking.page_token import decode_offset, next_page_token
from mltrail.store.tracking.run_names import generate_run_name
from mltrail.store.tracking.sql import driver
from mltrail.store.tracking.sql import schema as s
from mltrail.store.tracking.sql.engine import StoreState, chunks
from mltrail.store.tracking.sql.experiments import (
    join_location,
    not_found,
    parse_experiment_id,
    require_active_experiment,
)
from mltrail.store.tracking.sql.inputs import load_run_io
from mltrail.store.tracking.sql.run_data import (
    RUN_NAME_TAG,
    delete_run_rows,
    load_run_data,
    lock_active_run,
    run_not_found,
    set_tags,
)
from mltrail.store.tracking.validation import check_max_results, check_run_name, clean_tags

_RUNS = s.runs.c
_ACTIVE = LifecycleStage.ACTIVE.value
_DELETED = LifecycleStage.DELETED.value


_RUN_FIELDS = (
    "run_id", "experiment_id", "name", "user_id", "status", "start_time", "end_time",
    "artifact_uri", "lifecycle_stage",
)  # fmt: skip
_RUN_COLUMNS = ", ".join(f"{{{name}}}" for name in _RUN_FIELDS)
_RUNS_BY_ID = f"SELECT {_RUN_COLUMNS} FROM {{runs}} WHERE {{run_id}} IN (?*)"
_NEW_RUN = f"INSERT INTO {{runs}} ({_RUN_COLUMNS}) VALUES ({', '.join('?' * len(_RUN_FIELDS))})"
_NEW_TAG = "INSERT INTO {run_tags} ({run_id}, {key}, {value}) VALUES (?, ?, ?)"
_EXPERIMENT = (
    "SELECT {experiment_id}, {lifecycle_stage}, {artifact_location} FROM {experiments}"
    " WHERE {experiment_id} = ?"
)


class _Experiment(NamedTuple):
    experiment_id: int
    lifecycle_stage: str
    artifact_location: str


def run_info(row: Sequence[Any]) -> RunInfo:
    """The RunInfo of a row of `_RUN_FIELDS`."""
    run_id, experiment_id, name, user_id, status, start, end, artifact_uri, stage = row
    return RunInfo(
        run_id, str(experiment_id), name, user_id, status, start, end, artifact_uri, stage
    )


def _run_rows(conn: Connection, run_ids: Sequence[str]) -> list[tuple[Any, ...]]:
    return driver.fetch(conn, driver.render(conn.dialect, _RUNS_BY_ID, len(run_ids)), run_ids)


def load_runs(conn: Connection, run_ids: Sequence[str]) -> list[Run]:
    """Complete runs in the order of `run_ids` (unknown ids are skipped)."""
    found: dict[str, Run] = {}
    for part in chunks(run_ids):
        rows = _run_rows(conn, part)
        present = [row[0] for row in rows]
        data = load_run_data(conn, present)
        io = load_run_io(conn, present) if present else {}
        for row in rows:
            inputs, outputs = io[row[0]]
            found[row[0]] = Run(run_info(row), data[row[0]], inputs, outputs)
    return [found[run_id] for run_id in run_ids if run_id in found]


def _run_row(info: RunInfo, experiment_id: int) -> tuple[Any, ...]:
    """`info` as a row of `_RUN_FIELDS`."""
    return (
        info.run_id,
        experiment_id,
        info.run_name,
        info.user_id,
        info.status,
        info.start_time,
        info.end_time,
        info.artifact_uri,
        info.lifecycle_stage,
    )


def _experiment_for_new_run(conn: Connection, experiment_id: int) -> _Experiment:
    rows = driver.fetch(conn, driver.render(conn.dialect, _EXPERIMENT), (experiment_id,))
    if not rows:
        raise not_found(experiment_id)
    experiment = _Experiment(*rows[0])
    require_active_experiment(experiment)
    return experiment


def _parse_status(status: str | int) -> str:
    try:
        return RunStatus.to_string(status)
    except (ValueError, StopIteration):
        raise InvalidParameter(
            f"Invalid run status {status!r}. Valid statuses: {RunStatus.all_status()}"
        ) from None


def _choose_name(run_name: str | None, tags: list[RunTag]) -> str:
    """The run's name: the argument, else the `mlflow.runName` tag, else a random one."""
    tagged = next((t.value for t in tags if t.key == RUN_NAME_TAG), None)
    if run_name and tagged is not None and run_name != tagged:
        raise InvalidParameter(
            "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
            f"different values (run_name='{run_name}', mlflow.runName='{tagged}')."
        )
    return check_run_name(run_name or tagged or generate_run_name())


class RunsMixin(StoreState):
    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int | None,
        tags: Sequence[RunTag],
        run_name: str | None,
    ) -> Run:
        exp_key = parse_experiment_id(experiment_id)
        clean = clean_tags(tags or (), truncate=self._truncate_long_values)
        name = _choose_name(run_name, clean)
        clean = [t for t in clean if t.key != RUN_NAME_TAG] + [RunTag(RUN_NAME_TAG, name)]
        run_id = uuid.uuid4().hex

        def work(conn: Connection) -> RunInfo:
            experiment = _experiment_for_new_run(conn, exp_key)
            info = RunInfo(
                run_id=run_id,
                experiment_id=str(exp_key),
                run_name=name,
                user_id=user_id or "",
                status=RunStatus.RUNNING.value,
                start_time=now_ms() if start_time is None else start_time,
                end_time=None,
                artifact_uri=join_location(experiment.artifact_location, run_id, "artifacts"),
                lifecycle_stage=_ACTIVE,
            )
            driver.execute(conn, driver.render(conn.dialect, _NEW_RUN), _run_row(info, exp_key))
            new_tags = [(run_id, t.key, t.value) for t in clean]
            driver.execute_many(conn, driver.render(conn.dialect, _NEW_TAG), new_tags)
            return info

        info = self._db.write(work)
        return Run(info, RunData(tags={t.key: t.value for t in clean}))

    def get_run(self, run_id: str) -> Run:
        found = self._db.read(lambda conn: load_runs(conn, [run_id]))
        if not found:
            raise run_not_found(run_id)
        return found[0]

    def update_run_info(
        self, run_id: str, run_status: str | None, end_time: int | None, run_name: str | None
    ) -> RunInfo:
        changes: dict[str, Any] = {}
        if run_status is not None:
            changes["status"] = _parse_status(run_status)
        if end_time is not None:
            changes["end_time"] = end_time
        if run_name:
            check_run_name(run_name)  # stored by set_tags below, with the mlflow.runName tag

        def work(conn: Connection) -> RunInfo:
            lock_active_run(conn, run_id)
            if changes:
                conn.execute(update(s.runs).where(_RUNS.run_id == run_id).values(**changes))
            if run_name:
                set_tags(conn, run_id, [RunTag(RUN_NAME_TAG, run_name)])
            return run_info(_run_rows(conn, [run_id])[0])

        return self._db.write(work)

    def delete_run(self, run_id: str) -> None:
        self._set_run_stage(run_id, _DELETED, now_ms())

    def restore_run(self, run_id: str) -> None:
        self._set_run_stage(run_id, _ACTIVE, None)

    def _set_run_stage(self, run_id: str, stage: str, deleted_time: int | None) -> None:
        def work(conn: Connection) -> None:
            done = conn.execute(
                update(s.runs)
                .where(_RUNS.run_id == run_id)
                .values(lifecycle_stage=stage, deleted_time=deleted_time)
            )
            if done.rowcount == 0:
                raise run_not_found(run_id)

        self._db.write(work)

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        from mltrail.store.tracking.sql import search

        limit = check_max_results(max_results, SEARCH_MAX_RESULTS_THRESHOLD)
        offset = decode_offset(page_token)
        query = search.runs_query(experiment_ids, filter_string, run_view_type, order_by)
        page = query.offset(offset).limit(limit + 1)  # one extra row tells if a next page exists

        def work(conn: Connection) -> PagedList[Run]:
            ids: Sequence[str] = conn.execute(page).scalars().all()
            runs = load_runs(conn, ids[:limit])
            return PagedList(runs, next_page_token(offset, limit, len(ids) > limit))

        return self._db.read(work)

    def deleted_run_ids(self, older_than_ms: int | None = None) -> list[str]:
        where = _RUNS.lifecycle_stage == _DELETED
        if older_than_ms is not None:
            where = and_(where, _RUNS.deleted_time <= now_ms() - older_than_ms)
        query = select(_RUNS.run_id).where(where).order_by(_RUNS.deleted_time, _RUNS.run_id)
        return list(self._db.read(lambda conn: conn.execute(query).scalars().all()))

    def purge_run(self, run_id: str) -> None:
        """Delete a deleted run for good, with everything it recorded."""

        def work(conn: Connection) -> None:
            row = conn.execute(
                select(_RUNS.lifecycle_stage).where(_RUNS.run_id == run_id).with_for_update()
            ).first()
            if row is None:
                raise run_not_found(run_id)
            if row.lifecycle_stage != _DELETED:
                raise InvalidParameter(f"Run {run_id} must be deleted before it can be purged.")
            delete_run_rows(conn, _RUNS.run_id == run_id)

        self._db.write(work)
