"""Runs in the SQL store: create, read (one or a page, in bulk), update, soft delete, purge.

Reading runs never costs one query per run: `load_runs` fetches a whole page with a fixed
number of IN-list queries (runs, params+tags, latest metrics, inputs, input tags).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

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
from mltrail.store.tracking.sql import schema as s
from mltrail.store.tracking.sql.engine import AnyRow, StoreState, chunks
from mltrail.store.tracking.sql.experiments import (
    experiment_row,
    join_location,
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


def run_info(row: AnyRow) -> RunInfo:
    return RunInfo(
        run_id=row.run_id,
        experiment_id=str(row.experiment_id),
        run_name=row.name,
        user_id=row.user_id,
        status=row.status,
        start_time=row.start_time,
        end_time=row.end_time,
        artifact_uri=row.artifact_uri,
        lifecycle_stage=row.lifecycle_stage,
    )


def load_runs(conn: Connection, run_ids: Sequence[str]) -> list[Run]:
    """Complete runs in the order of `run_ids` (unknown ids are skipped)."""
    found: dict[str, Run] = {}
    for part in chunks(run_ids):
        rows = conn.execute(select(s.runs).where(_RUNS.run_id.in_(part))).all()
        present = [row.run_id for row in rows]
        data = load_run_data(conn, present)
        io = load_run_io(conn, present) if present else {}
        for row in rows:
            inputs, outputs = io[row.run_id]
            found[row.run_id] = Run(run_info(row), data[row.run_id], inputs, outputs)
    return [found[run_id] for run_id in run_ids if run_id in found]


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
            experiment = experiment_row(conn, exp_key)
            require_active_experiment(experiment)
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
            row = {f: getattr(info, f) for f in ("run_id", "user_id", "status", "start_time")}
            conn.execute(
                insert(s.runs).values(
                    **row,
                    experiment_id=exp_key,
                    name=name,
                    end_time=None,
                    lifecycle_stage=_ACTIVE,
                    artifact_uri=info.artifact_uri,
                )
            )
            set_tags(conn, self._db.dialect, run_id, clean)
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
                set_tags(conn, self._db.dialect, run_id, [RunTag(RUN_NAME_TAG, run_name)])
            return run_info(conn.execute(select(s.runs).where(_RUNS.run_id == run_id)).one())

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
