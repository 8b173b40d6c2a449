"""Compiles registered-model and model-version searches into one SQL query each.

The grammar and the comparison helpers are the tracking search's (`parse_filter` with the
registry specs, case-exact text on every database); this module maps registry keys to columns.
Queries select keys only, fully ordered; the store pages and loads the entities.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, and_, exists, select

from mltrail.search import (
    MODEL_VERSIONS,
    REGISTERED_MODELS,
    Comparison,
    Entity,
    Op,
    OrderBy,
    comparisons,
    parse_filter,
    parse_order_by,
)
from mltrail.store.registry.sql.schema import (
    model_version_tags,
    model_versions,
    registered_model_tags,
    registered_models,
)
from mltrail.store.registry.validation import PROMPT_TAG
from mltrail.store.tracking.sql import search_text
from mltrail.store.tracking.sql.search import _compare, _condition, _keyed_condition

_MODEL_COLUMNS: dict[str, Column[Any]] = {
    "name": registered_models.c.name,
    "creation_timestamp": registered_models.c.creation_timestamp,
    "last_updated_timestamp": registered_models.c.last_updated_timestamp,
}
_VERSION_COLUMNS: dict[str, Column[Any]] = {
    "name": model_versions.c.name,
    "run_id": model_versions.c.run_id,
    "source_path": model_versions.c.source,
    "version_number": model_versions.c.version,
    "creation_timestamp": model_versions.c.creation_timestamp,
    "last_updated_timestamp": model_versions.c.last_updated_timestamp,
}


def registered_models_query(
    filter_string: str | None, order_by: Sequence[str] | None
) -> Select[Any]:
    """Names of matching models, ordered by `order_by` then name (prompts: see `_prompts`)."""
    expr = parse_filter(filter_string, REGISTERED_MODELS)
    condition = _condition(expr, _prompt_aware(_model_comparison, _model_is_prompt))
    return (
        select(registered_models.c.name)
        .where(_prompts(expr, condition, _model_is_prompt))
        .order_by(*_ordering(parse_order_by(order_by, REGISTERED_MODELS), _MODEL_COLUMNS))
    )


def model_versions_query(filter_string: str | None, order_by: Sequence[str] | None) -> Select[Any]:
    """(name, version) of matching versions; by default (as MLflow) the last updated first,
    then by name, newest version first."""
    expr = parse_filter(filter_string, MODEL_VERSIONS)
    condition = _condition(expr, _prompt_aware(_version_comparison, _version_is_prompt))
    terms = parse_order_by(order_by, MODEL_VERSIONS) or (
        OrderBy(Entity.ATTRIBUTE, "last_updated_timestamp", ascending=False),
        OrderBy(Entity.ATTRIBUTE, "name"),
        OrderBy(Entity.ATTRIBUTE, "version_number", ascending=False),
    )
    return (
        select(model_versions.c.name, model_versions.c.version)
        .where(_prompts(expr, condition, _version_is_prompt))
        .order_by(*_ordering(terms, _VERSION_COLUMNS))
    )


# Prompts are registered models (and versions) tagged `mlflow.prompt.is_prompt=true`, and
# models have no such tag at all. As in MLflow, a comparison on that tag only chooses between
# prompts (`= 'true'`, `!= 'false'`) and everything else; without one, prompts are hidden.
def _asks_for_prompts(comparison: Comparison) -> bool:
    value = str(comparison.value).lower()
    return (comparison.op is Op.EQ and value == "true") or (
        comparison.op is Op.NE and value == "false"
    )


def _is_prompt_tag(comparison: Comparison) -> bool:
    return comparison.entity is Entity.TAG and comparison.key == PROMPT_TAG


def _prompt_aware(
    leaf: Callable[[Comparison], ColumnElement[bool]],
    is_prompt: Callable[[], ColumnElement[bool]],
) -> Callable[[Comparison], ColumnElement[bool]]:
    def compile_leaf(comparison: Comparison) -> ColumnElement[bool]:
        if _is_prompt_tag(comparison):
            return is_prompt() if _asks_for_prompts(comparison) else ~is_prompt()
        return leaf(comparison)

    return compile_leaf


def _prompts(
    expr: Any, condition: ColumnElement[bool], is_prompt: Callable[[], ColumnElement[bool]]
) -> ColumnElement[bool]:
    if any(_is_prompt_tag(c) for c in comparisons(expr)):
        return condition
    return and_(condition, ~is_prompt())


def _model_is_prompt() -> ColumnElement[bool]:
    tags = registered_model_tags.c
    return exists().where(
        tags.name == registered_models.c.name, tags.key == PROMPT_TAG, tags.value == "true"
    )


def _version_is_prompt() -> ColumnElement[bool]:
    tags = model_version_tags.c
    return exists().where(
        tags.name == model_versions.c.name,
        tags.version == model_versions.c.version,
        tags.key == PROMPT_TAG,
        tags.value == "true",
    )


def _model_comparison(comparison: Comparison) -> ColumnElement[bool]:
    if comparison.entity is Entity.TAG:
        return _keyed_condition(registered_model_tags, registered_models.c.name, comparison)
    return _compare(_MODEL_COLUMNS[comparison.key], comparison.op, comparison.value)


def _version_comparison(comparison: Comparison) -> ColumnElement[bool]:
    if comparison.entity is Entity.TAG:
        tags = model_version_tags.c
        return exists().where(
            tags.name == model_versions.c.name,
            tags.version == model_versions.c.version,
            search_text.equals(tags.key, comparison.key),
            _compare(tags.value, comparison.op, comparison.value),
        )
    if comparison.key == "version_number" and isinstance(comparison.value, float):
        # Version numbers are integers; compare 2.0 as 2 (and 2.5 as it is).
        value: Any = int(comparison.value) if comparison.value.is_integer() else comparison.value
        return _compare(model_versions.c.version, comparison.op, value)
    return _compare(_VERSION_COLUMNS[comparison.key], comparison.op, comparison.value)


def _ordering(
    terms: Sequence[OrderBy], columns: dict[str, Column[Any]]
) -> list[ColumnElement[Any]]:
    ordering: list[ColumnElement[Any]] = []
    for term in terms:
        column = columns[term.key]
        ordering.append(column.asc() if term.ascending else column.desc())
    keys = {term.key for term in terms}
    # Ties are broken by the key so pages never overlap.
    if "name" not in keys:
        ordering.append(columns["name"].asc())
    if "version_number" in columns and "version_number" not in keys:
        ordering.append(columns["version_number"].desc())
    return ordering
