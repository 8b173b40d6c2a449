"""MLflow 3 logged models in the SQL store: create, read, finalize, tag, soft delete, search.

A model's metrics are the metrics its source run logged with the model's id.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.sql import ColumnElement

from mltrail._time import now_ms
from mltrail.entities import (
    LifecycleStage,
    LoggedModel,
    LoggedModelParameter,
    LoggedModelStatus,
    LoggedModelTag,
    Metric,
    PagedList,
)
from mltrail.errors import InvalidParameter, NotFound
from mltrail.store.tracking.base import (
    SEARCH_LOGGED_MODELS_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_THRESHOLD,
)
from mltrail.store.tracking.page_token import decode_offset, next_page_token
from mltrail.store.tracking.run_names import generate_run_name
from mltrail.store.tracking.sql import schema as s
from mltrail.store.tracking.sql.engine import AnyRow, StoreState, chunks, execute_many, upsert
from mltrail.store.tracking.sql.experiments import (
    experiment_row,
    join_location,
    parse_experiment_id,
    require_active_experiment,
)
from mltrail.store.tracking.sql.metrics import metric_columns, to_metric
from mltrail.store.tracking.validation import (
    MAX_PARAM_VALUE_LENGTH,
    MAX_TAG_VALUE_LENGTH,
    check_key,
    check_logged_model_name,
    check_max_results,
    check_value,
)

_LM = s.logged_models.c
_ACTIVE = LifecycleStage.ACTIVE.value
_FILTER_FIELDS = ("name", "status", "source_run_id", "model_type", "model_id")
_ORDER_FIELDS = {
    "creation_timestamp": _LM.creation_timestamp,
    "creation_time": _LM.creation_timestamp,
    "last_updated_timestamp": _LM.last_updated_timestamp,
    "last_updated_time": _LM.last_updated_timestamp,
    "name": _LM.name,
    "model_id": _LM.model_id,
}
_CLAUSE = re.compile(
    r"^\s*(?:(?:attributes|attribute|attr)\.)?(\w+)\s*(=|!=)\s*(['\"])(.*)\3\s*$", re.IGNORECASE
)


def _not_found(model_id: str) -> NotFound:
    return NotFound(f"Logged model with ID '{model_id}' not found.")


def _pairs(items: Sequence[Any], what: str, limit: int, *, truncate: bool) -> dict[str, str]:
    return {
        check_key(x.key, f"{what}[{i}].key", f"{what}[{i}].key"): check_value(
            x.value, f"{what}[{i}].value", f"{what}[{i}].value", limit, truncate=truncate
        )
        for i, x in enumerate(items)
    }


def _filter_clauses(filter_string: str | None) -> list[ColumnElement[bool]]:
    """A small subset of the search grammar: `<attribute> = '<value>'` joined by AND."""
    clauses: list[ColumnElement[bool]] = []
    for part in re.split(r"\s+and\s+", filter_string or "", flags=re.IGNORECASE):
        if not part.strip():
            continue
        match = _CLAUSE.match(part)
        if match is None or match.group(1).lower() not in _FILTER_FIELDS:
            raise InvalidParameter(
                f"Invalid clause {part.strip()!r} in logged model filter: expected "
                f"<attribute> = '<value>' or != with an attribute in {list(_FILTER_FIELDS)}"
            )
        column = _LM[match.group(1).lower()]
        value = match.group(4)
        clauses.append(column == value if match.group(2) == "=" else column != value)
    return clauses


def _order(order_by: Sequence[Mapping[str, Any]] | None) -> list[Any]:
    terms = []
    for item in order_by or ():
        column = _ORDER_FIELDS.get(str(item.get("field_name", "")))
        if column is None:
            raise InvalidParameter(
                f"Invalid order_by field {item.get('field_name')!r} for logged models; "
                f"expected one of {sorted(_ORDER_FIELDS)}"
            )
        terms.append(column.asc() if item.get("ascending", True) else column.desc())
    return terms or [_LM.creation_timestamp.desc()]


def _load(conn: Connection, rows: Sequence[AnyRow]) -> list[LoggedModel]:
    """Models with tags, params and metrics: three IN-list queries for the whole list."""
    ids = [row.model_id for row in rows]
    tags: dict[str, dict[str, str]] = defaultdict(dict)
    params: dict[str, dict[str, str]] = defaultdict(dict)
    metrics: dict[str, list[Metric]] = defaultdict(list)
    for part in chunks(ids):
        for table, into in ((s.logged_model_tags, tags), (s.logged_model_params, params)):
            for model_id, key, value in conn.execute(
                select(table.c.model_id, table.c.key, table.c.value).where(
                    table.c.model_id.in_(part)
                )
            ):
                into[model_id][key] = value
        runs = sorted({r.source_run_id for r in rows if r.source_run_id and r.model_id in part})
        m = s.metrics.c
        for model_id, *fields in conn.execute(
            select(m.model_id, *metric_columns(s.metrics))
            .where(m.run_id.in_(runs), m.model_id.in_(part))
            .order_by(m.key, m.step, m.timestamp)
        ):
            metrics[model_id].append(to_metric(*fields))
    return [
        LoggedModel(
            model_id=row.model_id,
            experiment_id=str(row.experiment_id),
            name=row.name,
            artifact_location=row.artifact_location,
            creation_timestamp=row.creation_timestamp,
            last_updated_timestamp=row.last_updated_timestamp,
            status=row.status,
            model_type=row.model_type,
            source_run_id=row.source_run_id,
            status_message=row.status_message,
            tags=tags[row.model_id],
            params=params[row.model_id],
            metrics=tuple(metrics[row.model_id]),
        )
        for row in rows
    ]


def _model_row(conn: Connection, model_id: str, *, allow_deleted: bool = False) -> AnyRow:
    row = conn.execute(select(s.logged_models).where(_LM.model_id == model_id)).first()
    if row is None or (row.lifecycle_stage != _ACTIVE and not allow_deleted):
        raise _not_found(model_id)
    return row


class LoggedModelsMixin(StoreState):
    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[LoggedModelTag] = (),
        params: Sequence[LoggedModelParameter] = (),
        model_type: str | None = None,
    ) -> LoggedModel:
        exp_key = parse_experiment_id(experiment_id)
        check_logged_model_name(name)
        truncate = self._truncate_long_values
        tag_map = _pairs(tags or (), "tags", MAX_TAG_VALUE_LENGTH, truncate=truncate)
        param_map = _pairs(params or (), "params", MAX_PARAM_VALUE_LENGTH, truncate=truncate)
        model_id = f"m-{uuid.uuid4().hex}"
        now = now_ms()
        row = {
            "model_id": model_id,
            "experiment_id": exp_key,
            "name": name or generate_run_name(),
            "creation_timestamp": now,
            "last_updated_timestamp": now,
            "status": LoggedModelStatus.PENDING.value,
            "lifecycle_stage": _ACTIVE,
            "model_type": model_type,
            "source_run_id": source_run_id,
        }

        def work(conn: Connection) -> None:
            experiment = experiment_row(conn, exp_key)
            require_active_experiment(experiment)
            location = join_location(experiment.artifact_location, "models", model_id, "artifacts")
            conn.execute(insert(s.logged_models).values(**row, artifact_location=location))
            for table, pairs in (
                (s.logged_model_tags, tag_map),
                (s.logged_model_params, param_map),
            ):
                rows = [{"model_id": model_id, "key": k, "value": v} for k, v in pairs.items()]
                execute_many(conn, insert(table), rows)

        self._db.write(work)
        return self.get_logged_model(model_id)

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        def work(conn: Connection) -> LoggedModel:
            return _load(conn, [_model_row(conn, model_id, allow_deleted=allow_deleted)])[0]

        return self._db.read(work)

    def finalize_logged_model(self, model_id: str, status: str) -> LoggedModel:
        try:
            final = LoggedModelStatus(str(status).upper())
        except ValueError:
            raise InvalidParameter(
                f"Invalid logged model status {status!r}; expected one of "
                f"{[s.value for s in LoggedModelStatus]}"
            ) from None
        self._update_model(model_id, status=final.value)
        return self.get_logged_model(model_id)

    def delete_logged_model(self, model_id: str) -> None:
        self._update_model(model_id, lifecycle_stage=LifecycleStage.DELETED.value)

    def _update_model(self, model_id: str, **values: Any) -> None:
        def work(conn: Connection) -> None:
            _model_row(conn, model_id)
            conn.execute(
                update(s.logged_models)
                .where(_LM.model_id == model_id)
                .values(**values, last_updated_timestamp=now_ms())
            )

        self._db.write(work)

    def set_logged_model_tags(self, model_id: str, tags: Sequence[LoggedModelTag]) -> None:
        pairs = _pairs(tags, "tags", MAX_TAG_VALUE_LENGTH, truncate=self._truncate_long_values)
        self._upsert_pairs(model_id, s.logged_model_tags, pairs)

    def log_logged_model_params(
        self, model_id: str, params: Sequence[LoggedModelParameter]
    ) -> None:
        limit, truncate = MAX_PARAM_VALUE_LENGTH, self._truncate_long_values
        self._upsert_pairs(
            model_id, s.logged_model_params, _pairs(params, "params", limit, truncate=truncate)
        )

    def _upsert_pairs(self, model_id: str, table: Any, pairs: dict[str, str]) -> None:
        def work(conn: Connection) -> None:
            _model_row(conn, model_id)
            rows = [{"model_id": model_id, "key": k, "value": v} for k, v in pairs.items()]
            execute_many(conn, upsert(self._db.dialect, table, ["value"]), rows)

        self._db.write(work)

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        def work(conn: Connection) -> None:
            _model_row(conn, model_id)
            t = s.logged_model_tags.c
            done = conn.execute(
                delete(s.logged_model_tags).where(t.model_id == model_id, t.key == key)
            )
            if done.rowcount == 0:
                raise NotFound(f"No tag with key {key!r} found for model with ID {model_id!r}.")

        self._db.write(work)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = None,
        order_by: Sequence[Mapping[str, Any]] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        limit = check_max_results(
            max_results or SEARCH_LOGGED_MODELS_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD
        )
        offset = decode_offset(page_token)
        query = (
            select(s.logged_models)
            .where(
                _LM.experiment_id.in_([parse_experiment_id(e) for e in experiment_ids]),
                _LM.lifecycle_stage == _ACTIVE,
                *_filter_clauses(filter_string),
            )
            .order_by(*_order(order_by), _LM.model_id)
            .offset(offset)
            .limit(limit + 1)
        )

        def work(conn: Connection) -> PagedList[LoggedModel]:
            rows = conn.execute(query).all()
            page = _load(conn, rows[:limit])
            return PagedList(page, next_page_token(offset, limit, len(rows) > limit))

        return self._db.read(work)
