"""Compiles run and experiment searches (filter AST + order-by) into one SQL query each.

Every metric/param/tag/dataset condition is an EXISTS on its (owner, key) primary key and every
order-by key a LEFT OUTER JOIN on it, so the database does all the work and no rows are loaded
into Python. The queries select ids only, fully ordered; the store adds paging.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    FromClause,
    Select,
    Table,
    and_,
    case,
    exists,
    false,
    or_,
    select,
    true,
)

from mltrail.entities import LifecycleStage, ViewType
from mltrail.search import (
    And,
    Comparison,
    Entity,
    Expr,
    Op,
    OrderBy,
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_run_filter,
    parse_run_order_by,
)
from mltrail.store.tracking.sql import search_text
from mltrail.store.tracking.sql.schema import (
    datasets,
    experiment_tags,
    experiments,
    input_tags,
    latest_metrics,
    params,
    run_inputs,
    run_tags,
    runs,
)

DATASET_CONTEXT_TAG = "mlflow.data.context"
_DOUBLE_MAX = 1.7976931348623157e308  # how the schema stores +/-Inf

_RUN_ATTRIBUTES: dict[str, Column[Any]] = {
    "run_id": runs.c.run_id,
    "run_name": runs.c.name,
    "status": runs.c.status,
    "user_id": runs.c.user_id,
    "artifact_uri": runs.c.artifact_uri,
    "start_time": runs.c.start_time,
    "end_time": runs.c.end_time,
}
_EXPERIMENT_ATTRIBUTES: dict[str, Column[Any]] = {
    "name": experiments.c.name,
    "creation_time": experiments.c.creation_time,
    "last_update_time": experiments.c.last_update_time,
}
_RUN_KEYED_TABLES = {Entity.METRIC: latest_metrics, Entity.PARAM: params, Entity.TAG: run_tags}


def runs_query(
    experiment_ids: Sequence[str],
    filter_string: str | None,
    view_type: ViewType,
    order_by: Sequence[str] | None,
) -> Select[str]:
    """The ids of matching runs, ordered by `order_by`, then start_time DESC, then run_id."""
    condition = _condition(parse_run_filter(filter_string), _run_comparison)
    terms = parse_run_order_by(order_by)
    source, ordering = _run_ordering(terms)
    return (
        select(runs.c.run_id)
        .select_from(source)
        .where(
            runs.c.experiment_id.in_(_numeric_ids(experiment_ids)),
            runs.c.lifecycle_stage.in_(_stages(view_type)),
            condition,
        )
        .order_by(*ordering)
    )


def experiments_query(
    filter_string: str | None, view_type: ViewType, order_by: Sequence[str] | None
) -> Select[int]:
    """The ids of matching experiments; by default newest first (MLflow's order)."""
    condition = _condition(parse_experiment_filter(filter_string), _experiment_comparison)
    return (
        select(experiments.c.experiment_id)
        .where(experiments.c.lifecycle_stage.in_(_stages(view_type)), condition)
        .order_by(*_experiment_ordering(parse_experiment_order_by(order_by)))
    )


def _stages(view_type: ViewType) -> list[str]:
    return [stage.value for stage in LifecycleStage.view_type_to_stages(view_type)]


def _condition(
    expr: Expr | None, leaf: Callable[[Comparison], ColumnElement[bool]]
) -> ColumnElement[bool]:
    if expr is None:
        return true()
    if isinstance(expr, Comparison):
        return leaf(expr)
    parts = [_condition(item, leaf) for item in expr.items]
    return and_(*parts) if isinstance(expr, And) else or_(*parts)


def _compare(column: ColumnElement[Any], op: Op, value: object) -> ColumnElement[bool]:
    """`column <op> value`; text comparisons are case-exact except ILIKE."""
    if isinstance(value, str):
        text = {
            Op.EQ: search_text.equals,
            Op.NE: search_text.not_equals,
            Op.LIKE: search_text.like,
            Op.ILIKE: search_text.ilike,
        }[op]
        return text(column, value)
    if isinstance(value, tuple):
        return (search_text.is_in if op is Op.IN else search_text.not_in)(column, value)
    return {
        Op.EQ: column.__eq__,
        Op.NE: column.__ne__,
        Op.LT: column.__lt__,
        Op.LE: column.__le__,
        Op.GT: column.__gt__,
        Op.GE: column.__ge__,
    }[op](value)


# --- runs -------------------------------------------------------------------------------------


def _run_comparison(comparison: Comparison) -> ColumnElement[bool]:
    entity = comparison.entity
    if entity is Entity.ATTRIBUTE:
        return _compare(_RUN_ATTRIBUTES[comparison.key], comparison.op, comparison.value)
    if entity is Entity.DATASET:
        return _dataset_condition(comparison)
    if entity is Entity.METRIC:
        return _metric_condition(comparison)
    return _keyed_condition(_RUN_KEYED_TABLES[entity], runs.c.run_id, comparison)


def _keyed_condition(
    table: Table, owner: Column[Any], comparison: Comparison
) -> ColumnElement[bool]:
    """A condition on the (owner, key) row of a key/value table: params, tags."""
    owned = [table.c[owner.name] == owner, search_text.equals(table.c.key, comparison.key)]
    if comparison.op is Op.IS_NULL:
        return ~exists().where(*owned)
    if comparison.op is Op.IS_NOT_NULL:
        return exists().where(*owned)
    return exists().where(*owned, _compare(table.c.value, comparison.op, comparison.value))


def _metric_condition(comparison: Comparison) -> ColumnElement[bool]:
    """NaN satisfies only `!=` (as in MLflow); +/-Inf compare as the +/-DBL_MAX stored for them."""
    assert isinstance(comparison.value, int | float)
    value = max(-_DOUBLE_MAX, min(_DOUBLE_MAX, float(comparison.value)))
    metric = latest_metrics.c
    matches = _compare(metric.value, comparison.op, value)
    if comparison.op is Op.NE:
        matches = or_(matches, metric.is_nan == true())
    else:
        matches = and_(matches, metric.is_nan == false())
    return exists().where(
        metric.run_id == runs.c.run_id, search_text.equals(metric.key, comparison.key), matches
    )


def _dataset_condition(comparison: Comparison) -> ColumnElement[bool]:
    """Some dataset the run used has a matching name/digest, or was used in a matching context."""
    used = [run_inputs.c.run_id == runs.c.run_id, run_inputs.c.kind == "dataset"]
    if comparison.key == "context":
        return exists().where(
            *used,
            input_tags.c.input_id == run_inputs.c.input_id,
            input_tags.c.key == DATASET_CONTEXT_TAG,
            _compare(input_tags.c.value, comparison.op, comparison.value),
        )
    return exists().where(
        *used,
        datasets.c.dataset_id == run_inputs.c.source_id,
        _compare(datasets.c[comparison.key], comparison.op, comparison.value),
    )


def _run_ordering(terms: Sequence[OrderBy]) -> tuple[FromClause, list[ColumnElement[Any]]]:
    """Join each keyed sort column and sort missing values (and NaN metrics) last."""
    source: FromClause = runs
    ordering: list[ColumnElement[Any]] = []
    for position, term in enumerate(terms):
        if term.entity is Entity.ATTRIBUTE:
            value = _RUN_ATTRIBUTES[term.key]
            if _RUN_ATTRIBUTES[term.key].nullable:
                ordering.append(case((value.is_(None), 1), else_=0))
        else:
            joined = _RUN_KEYED_TABLES[term.entity].alias(f"order_{position}")
            owned = and_(
                joined.c.run_id == runs.c.run_id, search_text.equals(joined.c.key, term.key)
            )
            source = source.outerjoin(joined, owned)
            value = joined.c.value
            rank: list[tuple[ColumnElement[bool], int]] = [(joined.c.run_id.is_(None), 2)]
            if term.entity is Entity.METRIC:
                rank.append((joined.c.is_nan == true(), 1))
            ordering.append(case(*rank, else_=0))
        ordering.append(value.asc() if term.ascending else value.desc())
    ordered = {(term.entity, term.key) for term in terms}
    if (Entity.ATTRIBUTE, "start_time") not in ordered:
        ordering.append(runs.c.start_time.desc())
    if (Entity.ATTRIBUTE, "run_id") not in ordered:
        ordering.append(runs.c.run_id.asc())
    return source, ordering


def _numeric_ids(ids: Sequence[str]) -> list[int]:
    """Experiment ids are integers in this schema; any other id matches nothing."""
    return [int(i) for i in ids if _ID.fullmatch(str(i))]


_ID = re.compile(r"[0-9]{1,18}")


# --- experiments ------------------------------------------------------------------------------


def _experiment_comparison(comparison: Comparison) -> ColumnElement[bool]:
    if comparison.entity is Entity.TAG:
        return _keyed_condition(experiment_tags, experiments.c.experiment_id, comparison)
    if comparison.key == "experiment_id":
        return _experiment_id_condition(comparison)
    return _compare(_EXPERIMENT_ATTRIBUTES[comparison.key], comparison.op, comparison.value)


def _experiment_id_condition(comparison: Comparison) -> ColumnElement[bool]:
    value = comparison.value
    ids = _numeric_ids(value if isinstance(value, tuple) else (str(value),))
    column = experiments.c.experiment_id
    if comparison.op in (Op.IN, Op.EQ):
        return column.in_(ids)
    return column.not_in(ids)


def _experiment_ordering(terms: Sequence[OrderBy]) -> list[ColumnElement[Any]]:
    if not terms:
        return [experiments.c.creation_time.desc(), experiments.c.experiment_id.asc()]
    columns = {**_EXPERIMENT_ATTRIBUTES, "experiment_id": experiments.c.experiment_id}
    ordering: list[ColumnElement[Any]] = [
        columns[term.key].asc() if term.ascending else columns[term.key].desc() for term in terms
    ]
    if not any(term.key == "experiment_id" for term in terms):
        # MLflow breaks ties newest-id first when an order is given.
        ordering.append(experiments.c.experiment_id.desc())
    return ordering
