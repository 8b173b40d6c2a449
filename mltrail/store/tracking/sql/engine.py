"""Database engines for the SQL tracking store, and the dialect-specific SQL it needs.

`create_engine_for` turns a tracking URI into a tuned engine (SQLite: WAL, explicit transactions;
servers: pooled, pre-pinged); `Database` runs one short transaction per call, retrying when the
database reports a transient conflict (deadlock, busy file).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import Connection, Engine, Row, Table, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import Insert

from mltrail.store.tracking.sql.sqlite_checkpoint import SAFETY_NET_PAGES, Checkpointer

T = TypeVar("T")
AnyRow: TypeAlias = Row[*tuple[Any, ...]]  # a result row of any width

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KIB = 32_768  # page cache per connection (SQLite's default: 2 MiB)
POOL_RECYCLE_SECONDS = 1800
# SQLite refuses statements with more than 32766 parameters; servers have their own caps.
IN_LIST_CHUNK = 5000
READ_ONLY = "mltrail_read_only"
_RETRIES = 5

_BARE_DRIVERS = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}


def normalize_url(uri: str | URL) -> URL:
    """Pick our drivers for bare URIs: psycopg 3 for PostgreSQL, PyMySQL (utf8mb4) for MySQL."""
    url = make_url(uri)
    url = url.set(drivername=_BARE_DRIVERS.get(url.drivername, url.drivername))
    if url.get_backend_name() in ("mysql", "mariadb") and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL, None for an in-memory database."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def create_engine_for(
    uri: str | URL, *, pool_size: int | None = None, max_overflow: int | None = None
) -> Engine:
    url = normalize_url(uri)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    pool: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": POOL_RECYCLE_SECONDS}
    if pool_size is not None:
        pool["pool_size"] = pool_size
    if max_overflow is not None:
        pool["max_overflow"] = max_overflow
    # READ COMMITTED on MySQL too: its default REPEATABLE READ takes gap locks that make
    # concurrent upserts deadlock.
    return create_engine(url, isolation_level="READ COMMITTED", **pool)


def _sqlite_engine(url: URL) -> Engine:
    path = sqlite_path(url)
    if path is None:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module would otherwise open transactions lazily and never around DDL;
    # we emit BEGIN ourselves (see _begin_sqlite_transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        # Checkpoints run in the background (sqlite_checkpoint.py), not inside commits.
        f"wal_autocheckpoint={SAFETY_NET_PAGES}",
        f"cache_size=-{SQLITE_CACHE_KIB}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # Writers take the write lock up front: a deferred transaction that reads and then
    # writes fails at once (SQLITE_BUSY) when another writer got there first.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"
    # Straight to the driver: SQLAlchemy's statement machinery costs more than the BEGIN.
    # Its failures are wrapped as SQLAlchemy would, so `Database.write` still retries them.
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        driver.execute(statement)
    except sqlite3.Error as error:
        raise DBAPIError.instance(statement, (), error, sqlite3.Error) from error


class Database:
    """An engine plus the two ways the store uses it: a read and a write transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # SQLite has one writer at a time. Threads of this process queue on a lock instead of
        # colliding in SQLite, whose busy handler answers with sleeps and retries (tail latency).
        self._write_turn: AbstractContextManager[object] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext()
        )
        # SQLite: writes take turns anyway, so one connection serves them all; checking one
        # out of the pool and back for every small write costs as much as the write.
        self._writer: Connection | None = None
        self._writer_pid = 0
        path = sqlite_path(engine.url) if self.dialect == "sqlite" else None
        self._checkpointer = Checkpointer(path) if path is not None else None

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one read transaction (one consistent snapshot on SQLite)."""
        with self.engine.connect() as conn:
            conn.execution_options(**{READ_ONLY: True})
            conn.begin()  # explicit: `work` may use the DBAPI cursor directly (driver.py)
            return work(conn)

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one transaction; all or nothing, retried on transient conflicts."""
        for attempt in range(_RETRIES):
            try:
                with self._write_turn:
                    if self.dialect != "sqlite":
                        with self.engine.begin() as conn:
                            return work(conn)
                    return self._write_sqlite(work)
            except DBAPIError as error:
                if attempt == _RETRIES - 1 or not _is_transient(error):
                    raise
                time.sleep(0.01 * 2**attempt)  # back off before retrying a lost race
        raise AssertionError("unreachable")

    def _write_sqlite(self, work: Callable[[Connection], T]) -> T:
        """`work` in a transaction on the kept writer connection (the write turn is held)."""
        if self._writer is None or self._writer_pid != os.getpid():
            self._writer, self._writer_pid = self.engine.connect(), os.getpid()
            if self._checkpointer is not None:
                self._checkpointer.ensure_running()
        conn = self._writer
        try:
            with conn.begin():
                return work(conn)
        except DBAPIError:
            self._drop_writer()  # a broken connection must not serve the next write
            raise

    def _drop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        with self._write_turn:
            self._drop_writer()
        self.engine.dispose()


def _is_transient(error: DBAPIError) -> bool:
    orig = error.orig
    code = getattr(orig, "sqlstate", None)  # psycopg
    if code in ("40001", "40P01"):  # serialization failure, deadlock
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in (1213, 1205):  # MySQL deadlock, lock wait timeout
        return True
    return "database is locked" in str(orig)


@cache
def insert_ignoring_duplicates(dialect: str, table: Table) -> Insert:
    """INSERT that skips rows whose primary or unique key already exists (built once, reused)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects import mysql

        # A no-op update instead of INSERT IGNORE, which would also hide real errors.
        first = next(iter(table.primary_key.columns))
        return mysql.insert(table).on_duplicate_key_update({first.name: first})
    raise NotImplementedError(f"insert-or-ignore for {dialect}")


def upsert(dialect: str, table: Table, update_columns: Sequence[str]) -> Insert:
    """INSERT that overwrites `update_columns` of the row with the same primary key."""
    return _upsert(dialect, table, tuple(update_columns))


@cache
def _upsert(dialect: str, table: Table, update_columns: tuple[str, ...]) -> Insert:
    keys = [c.name for c in table.primary_key.columns]
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        pg = postgresql.insert(table)
        return pg.on_conflict_do_update(
            index_elements=keys, set_={c: pg.excluded[c] for c in update_columns}
        )
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        lite = sqlite.insert(table)
        return lite.on_conflict_do_update(
            index_elements=keys, set_={c: lite.excluded[c] for c in update_columns}
        )
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects import mysql

        my = mysql.insert(table)
        return my.on_duplicate_key_update({c: my.inserted[c] for c in update_columns})
    raise NotImplementedError(f"upsert for {dialect}")


def chunks(items: Sequence[T], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[T]]:
    """Split IN lists so no statement exceeds a database's parameter limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def execute_many(conn: Connection, stmt: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """executemany, skipped when there is nothing to write."""
    if rows:
        conn.execute(stmt, list(rows))


class StoreState:
    """What every part of `SqlTrackingStore` shares (the parts are mixins, see store.py)."""

    _db: Database
    _artifact_root: str
    _truncate_long_values: bool
