"""The typed result of parsing a search: comparisons joined by AND/OR, and order-by terms.

Keys are canonical (aliases such as ``created`` are already resolved), so backends never
need to know the surface syntax.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass


class Entity(enum.StrEnum):
    """What a comparison looks at: the part of the identifier before the first dot."""

    METRIC = "metric"
    PARAM = "param"
    TAG = "tag"
    ATTRIBUTE = "attribute"
    DATASET = "dataset"


class Op(enum.StrEnum):
    """A comparison operator, spelled as it is written in a filter (upper case)."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    LIKE = "LIKE"
    ILIKE = "ILIKE"
    IN = "IN"
    NOT_IN = "NOT IN"
    IS_NULL = "IS NULL"
    IS_NOT_NULL = "IS NOT NULL"


# A literal: a string, a number, a non-empty tuple of strings (IN lists) or None (IS NULL).
Value = str | int | float | tuple[str, ...] | None


@dataclass(frozen=True)
class Comparison:
    entity: Entity
    key: str
    op: Op
    value: Value


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


Expr = Comparison | And | Or


@dataclass(frozen=True)
class OrderBy:
    entity: Entity
    key: str
    ascending: bool = True


def comparisons(expr: Expr | None) -> Iterator[Comparison]:
    """Every comparison in `expr`, left to right."""
    if expr is None:
        return
    if isinstance(expr, Comparison):
        yield expr
        return
    for item in expr.items:
        yield from comparisons(item)
