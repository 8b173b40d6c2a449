"""Experiments in the SQL store: create, read, search, rename, tag, soft delete and purge.

Ids are integers in the database and strings everywhere else; experiment "0" ("Default")
exists in every database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Connection, and_, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from mltrail._time import now_ms
from mltrail.entities import Experiment, ExperimentTag, LifecycleStage, PagedList, ViewType
from mltrail.errors import AlreadyExists, ErrorCode, InvalidParameter, MltrailError, NotFound
from mltrail.store.tracking.base import SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD
from mltrail.store.tracking.page_token import decode_offset, next_page_token
from mltrail.store.tracking.sql import schema as s
from mltrail.store.tracking.sql.engine import (
    AnyRow,
    Database,
    StoreState,
    chunks,
    execute_many,
    insert_ignoring_duplicates,
    upsert,
)
from mltrail.store.tracking.sql.run_data import delete_run_rows
from mltrail.store.tracking.validation import (
    check_experiment_name,
    check_max_results,
    clean_experiment_tag,
)

DEFAULT_EXPERIMENT_ID = 0
DEFAULT_EXPERIMENT_NAME = "Default"
# A scheme of two or more letters: "s3:", "mlflow-artifacts:", but not a Windows drive "C:".
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+:")
_ACTIVE = LifecycleStage.ACTIVE.value
_DELETED = LifecycleStage.DELETED.value
_EXP = s.experiments.c


def join_location(base: str, *parts: str) -> str:
    """Append path parts to an artifact location: '/' for URIs, the OS separator for paths."""
    if _URI_SCHEME.match(base):
        return "/".join([base.rstrip("/"), *parts])
    return os.path.join(base, *parts)


def absolute_location(location: str) -> str:
    """Artifact roots are kept absolute, so they do not depend on a later working directory."""
    if _URI_SCHEME.match(location):
        return location
    return os.path.abspath(os.path.expanduser(location))


def parse_experiment_id(experiment_id: str | int) -> int:
    try:
        return int(experiment_id)
    except (TypeError, ValueError):
        raise InvalidParameter(
            f"Invalid experiment ID '{experiment_id}'. Experiment ID must be a valid integer."
        ) from None


def not_found(experiment_id: object) -> NotFound:
    return NotFound(f"No Experiment with id={experiment_id} exists")


def experiment_row(conn: Connection, experiment_id: int, *, lock: bool = False) -> AnyRow:
    query = select(s.experiments).where(_EXP.experiment_id == experiment_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise not_found(experiment_id)
    return row


class ExperimentState(Protocol):
    """What `require_active_experiment` reads: an experiments row, or part of one."""

    @property
    def experiment_id(self) -> int: ...
    @property
    def lifecycle_stage(self) -> str: ...


def require_active_experiment(row: ExperimentState | AnyRow) -> None:
    if row.lifecycle_stage != _ACTIVE:
        raise InvalidParameter(
            f"The experiment {row.experiment_id} must be in the 'active' state. "
            f"Current state is {row.lifecycle_stage}."
        )


def load_experiments(conn: Connection, where: ColumnElement[bool]) -> list[Experiment]:
    rows = conn.execute(select(s.experiments).where(where)).all()
    return _with_tags(conn, rows)


def load_experiments_by_ids(conn: Connection, ids: Sequence[int]) -> list[Experiment]:
    """Experiments in the order of `ids`, with their tags, in two queries per chunk."""
    found: dict[int, Experiment] = {}
    for part in chunks(ids):
        for experiment in load_experiments(conn, _EXP.experiment_id.in_(part)):
            found[int(experiment.experiment_id)] = experiment
    return [found[i] for i in ids if i in found]


def _with_tags(conn: Connection, rows: Sequence[AnyRow]) -> list[Experiment]:
    tags: dict[int, dict[str, str]] = {row.experiment_id: {} for row in rows}
    if rows:
        t = s.experiment_tags.c
        for tag in conn.execute(
            select(t.experiment_id, t.key, t.value).where(t.experiment_id.in_(list(tags)))
        ):
            tags[tag.experiment_id][tag.key] = tag.value
    return [
        Experiment(
            experiment_id=str(row.experiment_id),
            name=row.name,
            artifact_location=row.artifact_location,
            lifecycle_stage=row.lifecycle_stage,
            tags=tags[row.experiment_id],
            creation_time=row.creation_time,
            last_update_time=row.last_update_time,
        )
        for row in rows
    ]


def ensure_default_experiment(db: Database, artifact_root: str) -> None:
    """Create experiment 0 ("Default") unless it exists; safe when processes race."""

    def exists(conn: Connection) -> bool:
        found = conn.execute(select(_EXP.experiment_id).where(_EXP.experiment_id == 0)).first()
        return found is not None

    def work(conn: Connection) -> None:
        now = now_ms()
        row = {
            "experiment_id": DEFAULT_EXPERIMENT_ID,
            "name": DEFAULT_EXPERIMENT_NAME,
            "artifact_location": join_location(artifact_root, str(DEFAULT_EXPERIMENT_ID)),
            "lifecycle_stage": _ACTIVE,
            "creation_time": now,
            "last_update_time": now,
        }
        stmt = insert_ignoring_duplicates(db.dialect, s.experiments).values(row)
        if db.dialect not in ("mysql", "mariadb"):
            conn.execute(stmt)
            return
        # MySQL reads an explicit 0 as "next auto-increment value" unless told otherwise.
        mode = conn.execute(text("SELECT @@SESSION.sql_mode")).scalar()
        zero_ok = ",".join(filter(None, [mode, "NO_AUTO_VALUE_ON_ZERO"]))
        conn.execute(text("SET SESSION sql_mode = :mode"), {"mode": zero_ok})
        try:
            conn.execute(stmt)
        finally:
            conn.execute(text("SET SESSION sql_mode = :mode"), {"mode": mode})

    # A read first: opening a store should not take SQLite's write lock.
    if not db.read(exists):
        db.write(work)


class ExperimentsMixin(StoreState):
    def create_experiment(
        self, name: str, artifact_location: str | None = None, tags: Sequence[ExperimentTag] = ()
    ) -> str:
        name = check_experiment_name(name)
        clean = {t.key: t.value for t in map(clean_experiment_tag, tags or ())}
        location = absolute_location(artifact_location) if artifact_location else None
        now = now_ms()

        def work(conn: Connection) -> str:
            row = {"name": name, "artifact_location": location or "", "creation_time": now}
            result = conn.execute(
                insert(s.experiments).values(**row, lifecycle_stage=_ACTIVE, last_update_time=now)
            )
            assert result.inserted_primary_key is not None
            experiment_id = result.inserted_primary_key[0]
            if location is None:
                default = join_location(self._artifact_root, str(experiment_id))
                conn.execute(
                    update(s.experiments)
                    .where(_EXP.experiment_id == experiment_id)
                    .values(artifact_location=default)
                )
            execute_many(
                conn,
                insert(s.experiment_tags),
                [{"experiment_id": experiment_id, "key": k, "value": v} for k, v in clean.items()],
            )
            return str(experiment_id)

        try:
            return self._db.write(work)
        except IntegrityError:
            raise AlreadyExists(f"Experiment(name={name}) already exists.") from None

    def get_experiment(self, experiment_id: str) -> Experiment:
        key = parse_experiment_id(experiment_id)
        found = self._db.read(lambda conn: load_experiments(conn, _EXP.experiment_id == key))
        if not found:
            raise not_found(experiment_id)
        return found[0]

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        found = self._db.read(lambda conn: load_experiments(conn, _EXP.name == name))
        return found[0] if found else None

    def search_experiments(
        self,
        view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        from mltrail.store.tracking.sql import search

        limit = check_max_results(max_results, SEARCH_MAX_RESULTS_THRESHOLD)
        offset = decode_offset(page_token)
        query = search.experiments_query(filter_string, view_type, order_by)
        page = query.offset(offset).limit(limit + 1)  # one extra row tells if a next page exists

        def work(conn: Connection) -> PagedList[Experiment]:
            ids: Sequence[int] = conn.execute(page).scalars().all()
            found = load_experiments_by_ids(conn, ids[:limit])
            return PagedList(found, next_page_token(offset, limit, len(ids) > limit))

        return self._db.read(work)

    def delete_experiment(self, experiment_id: str) -> None:
        key = parse_experiment_id(experiment_id)
        if key == DEFAULT_EXPERIMENT_ID:
            raise InvalidParameter(
                f"Cannot delete the default experiment '{DEFAULT_EXPERIMENT_ID}'. "
                "This is an internally reserved experiment."
            )

        def work(conn: Connection) -> None:
            if experiment_row(conn, key, lock=True).lifecycle_stage != _ACTIVE:
                raise not_found(experiment_id)
            runs = s.runs.c
            # Restoring brings back the runs deleted at the experiment's deletion time or later:
            # that time must come after every earlier run deletion, even in the same millisecond.
            latest = select(func.max(runs.deleted_time)).where(runs.experiment_id == key)
            now = max(now_ms(), (conn.execute(latest).scalar() or 0) + 1)
            _set_stage(conn, _EXP.experiment_id == key, _DELETED, now)
            conn.execute(
                update(s.runs)
                .where(runs.experiment_id == key, runs.lifecycle_stage == _ACTIVE)
                .values(lifecycle_stage=_DELETED, deleted_time=now)
            )

        self._db.write(work)

    def restore_experiment(self, experiment_id: str) -> None:
        key = parse_experiment_id(experiment_id)

        def work(conn: Connection) -> None:
            row = experiment_row(conn, key, lock=True)
            if row.lifecycle_stage != _DELETED:
                raise not_found(experiment_id)
            # Restore the runs deleted with the experiment, not those deleted before it.
            runs = s.runs.c
            conn.execute(
                update(s.runs)
                .where(
                    runs.experiment_id == key,
                    runs.lifecycle_stage == _DELETED,
                    runs.deleted_time >= (row.deleted_time or 0),
                )
                .values(lifecycle_stage=_ACTIVE, deleted_time=None)
            )
            _set_stage(conn, _EXP.experiment_id == key, _ACTIVE, None)

        self._db.write(work)

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        key = parse_experiment_id(experiment_id)
        new_name = check_experiment_name(new_name)

        def work(conn: Connection) -> None:
            if experiment_row(conn, key, lock=True).lifecycle_stage != _ACTIVE:
                raise MltrailError(
                    "Cannot rename a non-active experiment.", ErrorCode.INVALID_STATE
                )
            conn.execute(
                update(s.experiments)
                .where(_EXP.experiment_id == key)
                .values(name=new_name, last_update_time=now_ms())
            )

        try:
            self._db.write(work)
        except IntegrityError:
            raise AlreadyExists(f"Experiment(name={new_name}) already exists.") from None

    def set_experiment_tag(self, experiment_id: str, tag: ExperimentTag) -> None:
        key = parse_experiment_id(experiment_id)
        tag = clean_experiment_tag(tag)

        def work(conn: Connection) -> None:
            require_active_experiment(experiment_row(conn, key))
            stmt = upsert(self._db.dialect, s.experiment_tags, ["value"])
            conn.execute(stmt, [{"experiment_id": key, "key": tag.key, "value": tag.value}])

        self._db.write(work)

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        exp_key = parse_experiment_id(experiment_id)

        def work(conn: Connection) -> None:
            require_active_experiment(experiment_row(conn, exp_key))
            t = s.experiment_tags.c
            done = conn.execute(
                delete(s.experiment_tags).where(t.experiment_id == exp_key, t.key == key)
            )
            if done.rowcount == 0:
                raise NotFound(f"No tag with name: {key} in experiment with id {experiment_id}")

        self._db.write(work)

    def deleted_experiment_ids(self, older_than_ms: int | None = None) -> list[str]:
        where = _EXP.lifecycle_stage == _DELETED
        if older_than_ms is not None:
            where = and_(where, _EXP.deleted_time <= now_ms() - older_than_ms)
        query = select(_EXP.experiment_id).where(where).order_by(_EXP.experiment_id)
        return [str(i) for i in self._db.read(lambda conn: conn.execute(query).scalars().all())]

    def purge_experiment(self, experiment_id: str) -> None:
        """Delete a deleted experiment for good: its runs and their data, datasets, models."""
        key = parse_experiment_id(experiment_id)

        def work(conn: Connection) -> None:
            if experiment_row(conn, key, lock=True).lifecycle_stage != _DELETED:
                raise InvalidParameter(
                    f"Experiment {experiment_id} must be deleted before it can be purged."
                )
            delete_run_rows(conn, s.runs.c.experiment_id == key)
            models = select(s.logged_models.c.model_id).where(
                s.logged_models.c.experiment_id == key
            )
            for table in (s.logged_model_tags, s.logged_model_params):
                conn.execute(delete(table).where(table.c.model_id.in_(models)))
            for table in (s.logged_models, s.datasets, s.experiment_tags, s.experiments):
                conn.execute(delete(table).where(table.c.experiment_id == key))

        self._db.write(work)


def _set_stage(conn: Connection, where: ColumnElement[bool], stage: str, now: int | None) -> None:
    conn.execute(
        update(s.experiments)
        .where(where)
        .values(lifecycle_stage=stage, deleted_time=now, last_update_time=now or now_ms())
    )
