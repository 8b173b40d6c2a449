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
_NOT_NAN_OPS = frozenset({Op.EQ, Op.LT, Op.LE, Op.GT, Op.GE})
_RUN_KEYED_TABLES = {Entity.METRIC: latest_metrics, Entity.PARAM: params, Entity.TAG: run_tags}


def runs_query(
    experiment_ids: Sequence[str],
    filter_string: str | None,
    view_type: ViewType,
    order_by: Sequence[str] | None,
) -> Select[str]:
    """The ids of matching runs, ordered by `order_by`, then start_time DESC, then run_id."""
    conjuncts = _conjuncts(parse_run_filter(filter_string))
    source, ordering, absorbed = _run_ordering(parse_run_order_by(order_by), conjuncts)
    conditions = [_condition(c, _run_comparison) for c in conjuncts if c not in absorbed]
    return (
        select(runs.c.run_id)
        .select_from(source)
        .where(
            runs.c.experiment_id.in_(_numeric_ids(experiment_ids)),
            runs.c.lifecycle_stage.in_(_stages(view_type)),
            *conditions,
        )
        .order_by(*ordering)
    )


def _conjuncts(expr: Expr | None) -> list[Expr]:
    """The parts of `expr` that must all hold (its top-level AND, flattened)."""
    if expr is None:
        return []
    if isinstance(expr, And):
        return [part for item in expr.items for part in _conjuncts(item)]
    return [expr]


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
    metric = latest_metrics.c
    return exists().where(
        metric.run_id == runs.c.run_id,
        search_text.equals(metric.key, comparison.key),
        _metric_matches(latest_metrics, comparison),
    )


def _metric_matches(metric: FromClause, comparison: Comparison) -> ColumnElement[bool]:
    """NaN satisfies only `!=` (as in MLflow); +/-Inf compare as the +/-DBL_MAX stored for them."""
    assert isinstance(comparison.value, int | float)
    value = max(-_DOUBLE_MAX, min(_DOUBLE_MAX, float(comparison.value)))
    matches = _compare(metric.c.value, comparison.op, value)
    if comparison.op is Op.NE:
        return or_(matches, metric.c.is_nan == true())
    return and_(matches, metric.c.is_nan == false())


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


def _run_ordering(
    terms: Sequence[OrderBy], conjuncts: Sequence[Expr]
) -> tuple[FromClause, list[ColumnElement[Any]], list[Expr]]:
    """(runs joined to each keyed sort column, the ORDER BY, the conjuncts the joins absorbed).

    Missing values (and NaN metrics) sort last, which takes a rank column. When the filter
    itself requires a sorted metric to be present and not NaN (`metrics.acc > 0.5 ... order by
    metrics.acc`), the metric is inner-joined with that condition and needs no rank, so the
    database can walk the (key, value) index in order and stop at the page's last row instead
    of sorting every run of the experiments.
    """
    source: FromClause = runs
    ordering: list[ColumnElement[Any]] = []
    absorbed: list[Expr] = []
    for position, term in enumerate(terms):
        if term.entity is Entity.ATTRIBUTE:
            value = _RUN_ATTRIBUTES[term.key]
            if _RUN_ATTRIBUTES[term.key].nullable:
                ordering.append(case((value.is_(None), 1), else_=0))
            ordering.append(value.asc() if term.ascending else value.desc())
            continue
        joined = _RUN_KEYED_TABLES[term.entity].alias(f"order_{position}")
        owned = and_(joined.c.run_id == runs.c.run_id, search_text.equals(joined.c.key, term.key))
        bounds = _present_metric_bounds(term, conjuncts, absorbed)
        if bounds:
            source = source.join(joined, and_(owned, *(_metric_matches(joined, b) for b in bounds)))
            absorbed += bounds
        else:
            source = source.outerjoin(joined, owned)
            rank: list[tuple[ColumnElement[bool], int]] = [(joined.c.run_id.is_(None), 2)]
            if term.entity is Entity.METRIC:
                rank.append((joined.c.is_nan == true(), 1))
            ordering.append(case(*rank, else_=0))
        ordering.append(joined.c.value.asc() if term.ascending else joined.c.value.desc())
    ordered = {(term.entity, term.key) for term in terms}
    if (Entity.ATTRIBUTE, "start_time") not in ordered:
        ordering.append(runs.c.start_time.desc())
    if (Entity.ATTRIBUTE, "run_id") not in ordered:
        ordering.append(runs.c.run_id.asc())
    return source, ordering, absorbed


def _present_metric_bounds(
    term: OrderBy, conjuncts: Sequence[Expr], absorbed: Sequence[Expr]
) -> list[Comparison]:
    """The filter's comparisons on the sorted metric that only a present, non-NaN value meets."""
    if term.entity is not Entity.METRIC:
        return []
    return [
        c
        for c in conjuncts
        if isinstance(c, Comparison)
        and c.entity is Entity.METRIC
        and c.key == term.key
        and c.op in _NOT_NAN_OPS
        and c not in absorbed
    ]


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
