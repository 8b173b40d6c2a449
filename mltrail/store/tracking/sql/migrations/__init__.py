"""Schema versions of the SQL tracking store (Alembic), checked every time a store opens.

Our revisions live in `versions/` and are recorded in `mltrail_alembic_version`, never in
MLflow's `alembic_version`: a database written by MLflow is recognised and never written to.
Upgrades run under a database-wide lock so several processes can open a new database at once.
Opening an up-to-date database costs one query and does not import Alembic (about a second of
start-up): the head revision is read from the revision files themselves.
"""

from __future__ import annotations

import ast
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from mltrail.errors import ErrorCode, MltrailError
from mltrail.store.tracking.sql.engine import READ_ONLY

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "mltrail_alembic_version"
MLFLOW_VERSION_TABLE = "alembic_version"
TRACKING_TABLES = frozenset({"experiments", "runs", "metrics"})
MIGRATIONS_DIR = Path(__file__).parent
_LOCK_NAME = "mltrail_schema_upgrade"
_PG_LOCK_KEY = 0x6D6C747261696C  # "mltrail"; any constant shared by every mltrail process
_MYSQL_LOCK_TIMEOUT_S = 300


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in versions/ (a test checks it against Alembic's view)."""
    return _revision_graph()[0]


def _known_revisions() -> frozenset[str]:
    return _revision_graph()[1]


@cache
def _revision_graph() -> tuple[str, frozenset[str]]:
    """(head, every revision), from the `revision` and `down_revision` of each file."""
    parents: dict[str, set[str]] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        names = _module_constants(path, ("revision", "down_revision"))
        if isinstance(names.get("revision"), str):
            down = names.get("down_revision")
            parents[names["revision"]] = {down} if isinstance(down, str) else set(down or ())
    heads = set(parents) - set().union(*parents.values())
    if len(heads) != 1:
        raise MltrailError(
            f"mltrail's migrations should have one head, found {sorted(heads)}",
            ErrorCode.INTERNAL_ERROR,
        )
    return heads.pop(), frozenset(parents)


def _module_constants(path: Path, names: tuple[str, ...]) -> dict[str, Any]:
    """Top-level `name = <literal>` assignments of a Python file, without importing it."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and target.id in names and value is not None:
            found[target.id] = ast.literal_eval(value)
    return found


def _display(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def refuse_foreign_database(tables: set[str], where: str) -> None:
    """Raise unless the database is empty or ours: MLflow's databases are read by `import`."""
    if VERSION_TABLE in tables or not tables & TRACKING_TABLES:
        return
    if MLFLOW_VERSION_TABLE in tables:
        raise MltrailError(
            f"{where} is an MLflow database (it has MLflow's alembic_version and tracking "
            "tables). mltrail never writes to an MLflow database: copy it with "
            f"`mltrail import --from {where}` and point mltrail at the new database.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    raise MltrailError(
        f"{where} has tracking tables ({', '.join(sorted(tables & TRACKING_TABLES))}) that "
        "mltrail did not create, so mltrail will not use it. Use an empty database.",
        ErrorCode.INVALID_PARAMETER_VALUE,
    )


def refuse_foreign_sqlite_file(path: Path, url: URL) -> None:
    """Check an existing SQLite file read-only, before any engine touches (or WAL-converts) it."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as error:
        raise MltrailError(
            f"{path} is not a SQLite database: {error}", ErrorCode.INVALID_PARAMETER_VALUE
        ) from None
    finally:
        conn.close()
    refuse_foreign_database({name for (name,) in rows}, _display(url))


def _current_revision(conn: Connection) -> str | None:
    versions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(versions) > 1:
        raise MltrailError(
            f"{VERSION_TABLE} holds several revisions {versions}; the schema has branched",
            ErrorCode.INVALID_STATE,
        )
    return versions[0] if versions else None


def _schema_state(conn: Connection, where: str) -> str | None:
    """The revision of an mltrail database, None for an empty one; refuses anything else."""
    tables = set(inspect(conn).get_table_names())
    refuse_foreign_database(tables, where)
    if VERSION_TABLE not in tables:
        return None
    revision = _current_revision(conn)
    if revision is not None and revision not in _known_revisions():
        raise MltrailError(
            f"{where} has schema revision {revision!r}, newer than this mltrail knows "
            f"(head {head_revision()!r}). Upgrade mltrail to use this database.",
            ErrorCode.INVALID_STATE,
        )
    return revision


def _recorded_revision(engine: Engine) -> str | None:
    """The revision in our version table, None if there is no table (or no single revision)."""
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})
        try:
            versions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
        except DBAPIError:  # no such table; leaving the block rolls the failed statement back
            return None
    return str(versions[0][0]) if len(versions) == 1 else None


def ensure_schema(engine: Engine) -> str:
    """Bring the database to the head revision (creating it when empty); return the revision."""
    if _recorded_revision(engine) == head_revision():  # the usual case: one query
        return head_revision()
    where = _display(engine.url)
    with engine.begin() as conn, _upgrade_lock(conn):
        # Another process may have upgraded while we waited for the lock: look again.
        if _schema_state(conn, where) != head_revision():
            from alembic import command

            command.upgrade(alembic_config(conn), "head")
    return head_revision()


@contextmanager
def _upgrade_lock(conn: Connection) -> Iterator[None]:
    """Serialise schema upgrades across processes (SQLite: BEGIN IMMEDIATE already does)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        yield
    elif dialect in ("mysql", "mariadb"):
        got = conn.execute(
            text("SELECT GET_LOCK(:name, :timeout)"),
            {"name": _LOCK_NAME, "timeout": _MYSQL_LOCK_TIMEOUT_S},
        ).scalar()
        if got != 1:
            raise MltrailError(
                "Timed out waiting for another process to finish upgrading the schema",
                ErrorCode.TEMPORARILY_UNAVAILABLE,
            )
        try:
            yield
        finally:
            conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": _LOCK_NAME})
    else:
        yield
