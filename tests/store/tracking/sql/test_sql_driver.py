"""Plain DBAPI statements: rendered per dialect, run in SQLAlchemy's transaction and events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pymysql.cursors
import pytest
from sqlalchemy import event
from sqlalchemy.dialects.mysql.pymysql import MySQLDialect_pymysql
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError

from mltrail.store.tracking.sql import SqlTrackingStore, driver
from mltrail.store.tracking.sql.metrics import _write_sql
from mltrail.store.tracking.sql.run_data import _tag_upsert

TEMPLATE = "SELECT {key}, {value} FROM {params} WHERE {run_id} IN (?*) AND {key} = ?"


@pytest.fixture
def store(db_uri: str) -> Iterator[SqlTrackingStore]:
    sql_store = SqlTrackingStore(db_uri)
    yield sql_store
    sql_store.close()


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (
            SQLiteDialect_pysqlite(),
            'SELECT "key", value FROM params WHERE run_id IN (?, ?, ?) AND "key" = ?',
        ),
        (
            PGDialect_psycopg(),
            "SELECT key, value FROM params WHERE run_id IN (%s, %s, %s) AND key = %s",
        ),
        (
            MySQLDialect_pymysql(),
            "SELECT `key`, value FROM params WHERE run_id IN (%s, %s, %s) AND `key` = %s",
        ),
    ],
)
def test_templates_render_per_dialect(dialect: Dialect, expected: str) -> None:
    assert driver.render(dialect, TEMPLATE, 3) == expected


def test_mysql_inserts_keep_the_form_pymysql_batches() -> None:
    # PyMySQL turns executemany into one multi-row INSERT only for this statement shape;
    # otherwise it would send one statement per row.
    dialect = MySQLDialect_pymysql()
    sql = _write_sql(dialect)
    for statement in (sql.history, sql.latest, sql.plain_history, sql.plain_latest):
        assert pymysql.cursors.RE_INSERT_VALUES.match(statement), statement
    assert pymysql.cursors.RE_INSERT_VALUES.match(_tag_upsert(dialect))


def test_conditional_upserts_are_refused_on_mysql() -> None:
    with pytest.raises(NotImplementedError):
        driver.upsert(MySQLDialect_pymysql(), "t", ("a", "b"), ("a",), when_greater=("b",))


def _insert_param(conn: Any, run_id: str, key: str) -> None:
    template = "INSERT INTO {params} ({run_id}, {key}, {value}) VALUES (?, ?, ?)"
    driver.execute(conn, driver.render(conn.dialect, template), (run_id, key, "v"))


def test_statements_join_the_transaction_and_fire_engine_events(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 0, [], None).info.run_id
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        with store.engine.connect() as conn:
            _insert_param(conn, run_id, "kept")
            conn.commit()
            _insert_param(conn, run_id, "rolled-back")
            conn.rollback()
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert [params for statement, params in seen if "INSERT" in statement] == [
        (run_id, "kept", "v"),
        (run_id, "rolled-back", "v"),
    ]
    assert store.get_run(run_id).data.params == {"kept": "v"}


def test_driver_errors_are_sqlalchemy_errors(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 0, [], None).info.run_id
    with store.engine.connect() as conn:
        _insert_param(conn, run_id, "k")
        with pytest.raises(IntegrityError) as caught:
            _insert_param(conn, run_id, "k")
    assert "INSERT INTO" in str(caught.value.statement)
    orphan = ("no-such-run", "m", 0, 1, 1.0, False, None, None, None)
    with store.engine.connect() as conn, pytest.raises(IntegrityError):
        driver.execute_many(conn, _write_sql(conn.dialect).history, [orphan])
