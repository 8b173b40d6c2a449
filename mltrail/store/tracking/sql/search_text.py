"""Case-exact text comparisons that behave the same on SQLite, PostgreSQL and MySQL/MariaDB.

MySQL's default collations ignore case in `=`, `IN` and `LIKE`, and SQLite's LIKE ignores ASCII
case, while MLflow's search is case-sensitive except for ILIKE. Each condition is therefore
written once per database and chosen when the statement compiles, so one `Select` serves every
engine. In LIKE patterns a backslash escapes the next character on every database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, collate
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

_MYSQL_BINARY = "utf8mb4_bin"
_MYSQL_NAMES = ("mysql", "mariadb")


class ByDialect(ColumnElement[bool]):
    """A boolean condition with per-database variants; `default` serves PostgreSQL."""

    inherit_cache = True
    type = Boolean()
    # A comparison, not a boolean column: no "= 1" suffix on SQLite/MySQL, so indexes still apply.
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("default", InternalTraversal.dp_clauseelement),
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("mysql", InternalTraversal.dp_clauseelement),
    ]

    def __init__(
        self,
        default: ColumnElement[bool],
        *,
        sqlite: ColumnElement[bool] | None = None,
        mysql: ColumnElement[bool] | None = None,
    ) -> None:
        self.default = default
        self.sqlite = default if sqlite is None else sqlite
        self.mysql = default if mysql is None else mysql


@compiles(ByDialect)
def _compile_by_dialect(element: ByDialect, compiler: SQLCompiler, **kw: Any) -> str:
    name = compiler.dialect.name
    chosen = (
        element.sqlite
        if name == "sqlite"
        else element.mysql
        if name in _MYSQL_NAMES
        else element.default
    )
    return f"({compiler.process(chosen, **kw)})"


def _binary(column: ColumnElement[str]) -> ColumnElement[str]:
    return collate(column, _MYSQL_BINARY)


def equals(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    # On MySQL the plain `=` stays in front so the column's index can still be used.
    return ByDialect(column == value, mysql=and_(column == value, _binary(column) == value))


def not_equals(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    return ByDialect(column != value, mysql=_binary(column) != value)


def is_in(column: ColumnElement[str], values: Sequence[str]) -> ColumnElement[bool]:
    return ByDialect(
        column.in_(values), mysql=and_(column.in_(values), _binary(column).in_(values))
    )


def not_in(column: ColumnElement[str], values: Sequence[str]) -> ColumnElement[bool]:
    return ByDialect(column.not_in(values), mysql=_binary(column).not_in(values))


def like(column: ColumnElement[str], pattern: str) -> ColumnElement[bool]:
    """Case-sensitive LIKE (`%` any run, `_` one character)."""
    pattern = _close_dangling_escape(pattern)
    return ByDialect(
        column.like(pattern),
        sqlite=column.op("GLOB", is_comparison=True)(like_to_glob(pattern)),
        mysql=_binary(column).like(pattern),
    )


def ilike(column: ColumnElement[str], pattern: str) -> ColumnElement[bool]:
    """Case-insensitive LIKE."""
    pattern = _close_dangling_escape(pattern)
    # PostgreSQL and MySQL escape with a backslash by default; SQLite must be told.
    return ByDialect(column.ilike(pattern), sqlite=column.ilike(pattern, escape="\\"))


def like_to_glob(pattern: str) -> str:
    """Translate a LIKE pattern to SQLite's case-sensitive GLOB syntax."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            out.append(_glob_literal(next(chars, "\\")))
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(_glob_literal(char))
    return "".join(out)


def _glob_literal(char: str) -> str:
    return f"[{char}]" if char in "*?[" else char


def _close_dangling_escape(pattern: str) -> str:
    """A pattern ending in a lone backslash means a literal backslash (PostgreSQL would fail)."""
    trailing = len(pattern) - len(pattern.rstrip("\\"))
    return pattern + "\\" if trailing % 2 else pattern
