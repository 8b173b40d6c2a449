"""Plain DBAPI statements for the store's hot paths (logging, metric history, loading runs).

SQLAlchemy Core spends tens of microseconds per statement and per row (building the statement
and its cache key, bind and result processing) — more than the database itself on those paths.
There, SQL is written once as a template, rendered once per dialect (identifiers quoted by the
dialect, the driver's placeholders) and run on the connection's DBAPI cursor with plain tuples.
The transaction is still the SQLAlchemy connection's, engine `before/after_cursor_execute`
listeners still see every statement, and driver errors surface as SQLAlchemy `DBAPIError`s
(so `Database.write` retries them like any other).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

Params = Sequence[Any]
_IDENTIFIER = re.compile(r"\{(\w+)\}")
IN_LIST = "(?*)"  # in a template: as many placeholders as the statement is rendered for
_MYSQL = ("mysql", "mariadb")
_NONE: Mapping[str, str] = MappingProxyType({})


def is_mysql(dialect: Dialect) -> bool:
    return dialect.name in _MYSQL


def render(dialect: Dialect, template: str, in_list: int = 0) -> str:
    """`template` for `dialect`: `{name}` is a quoted identifier, `?` a parameter, and `(?*)`
    a list of `in_list` parameters. Templates hold no other `?`, `%` or braces."""
    return _render(dialect.paramstyle, dialect.identifier_preparer.quote, template, in_list)


@lru_cache(maxsize=1024)
def _render(paramstyle: str, quote: Any, template: str, in_list: int) -> str:
    if paramstyle == "qmark":
        mark = "?"
    elif paramstyle in ("format", "pyformat"):
        mark = "%s"
    else:
        raise NotImplementedError(f"DBAPI paramstyle {paramstyle!r} is not supported")
    sql = _IDENTIFIER.sub(lambda match: str(quote(match.group(1))), template)
    sql = sql.replace(IN_LIST, "(" + ", ".join(["?"] * max(in_list, 1)) + ")")
    return sql.replace("?", mark) if mark != "?" else sql


def fetch(conn: Connection, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
    """All rows of a query, as the driver's tuples."""
    cursor = _run(conn, sql, params, many=False)
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()


@contextmanager
def stream(conn: Connection, sql: str, params: Params = ()) -> Iterator[Iterator[tuple[Any, ...]]]:
    """The rows of a query, one at a time: consumed rows can be freed before the last arrives."""
    cursor = _run(conn, sql, params, many=False)
    try:
        yield iter(cursor)
    finally:
        cursor.close()


def execute(conn: Connection, sql: str, params: Params = ()) -> int:
    """Run one statement; return the number of rows it changed."""
    cursor = _run(conn, sql, params, many=False)
    count: int = cursor.rowcount
    cursor.close()
    return count


def execute_many(conn: Connection, sql: str, rows: Sequence[Params]) -> None:
    """Run one statement for each row (the driver's executemany); nothing when no rows."""
    if rows:
        _run(conn, sql, rows, many=True).close()


def _run(conn: Connection, sql: str, params: Any, *, many: bool) -> Any:
    if not conn.in_transaction():
        conn.begin()  # as SQLAlchemy's autobegin would (our SQLite BEGIN comes from its event)
    cursor = conn.connection.cursor()
    dispatch: Any = conn.dispatch
    # Testing the collections first is cheaper than iterating them, and usually they are empty.
    before, after = dispatch.before_cursor_execute, dispatch.after_cursor_execute
    if before:
        for listener in before:
            listener(conn, cursor, sql, params, None, many)
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
    except dbapi_error as error:
        cursor.close()
        raise DBAPIError.instance(
            sql, params, error, dbapi_error, dialect=conn.dialect, ismulti=many
        ) from error
    if after:
        for listener in after:
            listener(conn, cursor, sql, params, None, many)
    return cursor


def insert_ignoring_duplicates(
    dialect: Dialect, table: str, columns: Sequence[str], constants: Mapping[str, str] = _NONE
) -> str:
    """INSERT of one row of `columns` that skips rows whose key already exists.

    `constants` gives some columns an SQL literal instead of a parameter: binding fewer
    parameters per row makes executemany cheaper (but PyMySQL batches rows only when every
    value is a parameter).
    """
    insert = _insert(table, columns, constants)
    if is_mysql(dialect):
        # A no-op update rather than INSERT IGNORE, which would also hide real errors. This
        # form still lets PyMySQL turn executemany into one multi-row INSERT.
        first = columns[0]
        return render(dialect, f"{insert} ON DUPLICATE KEY UPDATE {{{first}}} = {{{first}}}")
    return render(dialect, f"{insert} ON CONFLICT DO NOTHING")


def upsert(
    dialect: Dialect,
    table: str,
    columns: Sequence[str],
    keys: Sequence[str],
    constants: Mapping[str, str] = _NONE,
    *,
    when_greater: Sequence[str] = (),
) -> str:
    """INSERT of one row of `columns` that overwrites the other columns of the row with the
    same `keys`; with `when_greater` (not on MySQL) only if the new row's values of those
    columns are greater, compared left to right, than the stored row's. `constants` as for
    `insert_ignoring_duplicates`."""
    insert = _insert(table, columns, constants)
    updated = [c for c in columns if c not in keys]
    if is_mysql(dialect):
        if when_greater:
            raise NotImplementedError("conditional upserts on MySQL")
        changes = ", ".join(f"{{{c}}} = VALUES({{{c}}})" for c in updated)
        return render(dialect, f"{insert} ON DUPLICATE KEY UPDATE {changes}")
    changes = ", ".join(f"{{{c}}} = excluded.{{{c}}}" for c in updated)
    conflict = (
        f"{insert} ON CONFLICT ({', '.join(f'{{{k}}}' for k in keys)}) DO UPDATE SET {changes}"
    )
    if when_greater:
        new = ", ".join(f"excluded.{{{c}}}" for c in when_greater)
        old = ", ".join(f"{{{table}}}.{{{c}}}" for c in when_greater)
        conflict += f" WHERE ({new}) > ({old})"
    return render(dialect, conflict)


def _insert(table: str, columns: Sequence[str], constants: Mapping[str, str]) -> str:
    names = ", ".join(f"{{{c}}}" for c in columns)
    marks = ", ".join(constants.get(c, "?") for c in columns)
    return f"INSERT INTO {{{table}}} ({names}) VALUES ({marks})"
