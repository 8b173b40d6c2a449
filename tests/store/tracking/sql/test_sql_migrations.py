"""Schema management: new databases reach head, MLflow's databases are refused untouched."""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from mltrail.errors import MltrailError
from mltrail.store.tracking.sql import SqlTrackingStore, upgrade_database
from mltrail.store.tracking.sql.engine import normalize_url
from mltrail.store.tracking.sql.migrations import VERSION_TABLE, head_revision
from mltrail.store.tracking.sql.schema import metadata

# One Alembic history covers tracking and registry: the declared schema is both modules' tables.
importlib.import_module("mltrail.store.registry.sql.schema")


def _tables(uri: str) -> set[str]:
    engine = create_engine(normalize_url(uri))
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _execute(uri: str, *statements: str) -> None:
    engine = create_engine(normalize_url(uri))
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture
def store(db_uri: str) -> Iterator[SqlTrackingStore]:
    sql_store = SqlTrackingStore(db_uri)
    yield sql_store
    sql_store.close()


def test_declared_head_is_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    from mltrail.store.tracking.sql.migrations import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == head_revision()


def test_new_database_is_created_at_head(store: SqlTrackingStore) -> None:
    with store.engine.connect() as conn:
        version = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        assert version == head_revision()
        assert "alembic_version" not in inspect(conn).get_table_names()
    assert store.get_experiment("0").name == "Default"


def test_migrations_build_exactly_the_declared_schema(store: SqlTrackingStore) -> None:
    # MySQL reflects Text variants and DOUBLE differently from how they are declared.
    compare_type = store.engine.dialect.name != "mysql"
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": compare_type, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(context, metadata) == []


def test_upgrade_database_is_idempotent(db_uri: str) -> None:
    assert upgrade_database(db_uri) == head_revision()
    assert upgrade_database(db_uri) == head_revision()
    with SqlTrackingStore(db_uri) as sql_store:
        assert sql_store.get_experiment("0").name == "Default"


def test_reopening_keeps_data(sqlite_uri: str, tmp_path: Path) -> None:
    with SqlTrackingStore(sqlite_uri, artifact_root=str(tmp_path)) as first:
        exp_id = first.create_experiment("kept")
    with SqlTrackingStore(sqlite_uri) as second:
        assert second.get_experiment(exp_id).artifact_location == str(tmp_path / exp_id)
        assert second.get_experiment("0").artifact_location == str(tmp_path / "0")


def test_unknown_newer_revision_is_refused(sqlite_uri: str) -> None:
    upgrade_database(sqlite_uri)
    _execute(sqlite_uri, f"UPDATE {VERSION_TABLE} SET version_num = '9999_future'")
    with pytest.raises(MltrailError, match="newer than this mltrail") as caught:
        SqlTrackingStore(sqlite_uri)
    assert caught.value.error_code == "INVALID_STATE"


def test_foreign_tracking_tables_are_refused(sqlite_uri: str) -> None:
    _execute(sqlite_uri, "CREATE TABLE runs (run_uuid VARCHAR(32) PRIMARY KEY)")
    with pytest.raises(MltrailError, match="mltrail did not create"):
        SqlTrackingStore(sqlite_uri)
    assert _tables(sqlite_uri) == {"runs"}


def test_mlflow_server_database_is_refused_untouched(db_uri: str) -> None:
    _execute(
        db_uri,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
        "INSERT INTO alembic_version VALUES ('1b5f0d9ad7c1')",
        "CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name VARCHAR(256))",
    )
    with pytest.raises(MltrailError, match="is an MLflow database") as caught:
        SqlTrackingStore(db_uri)
    assert "mltrail import" in caught.value.message
    assert _tables(db_uri) == {"alembic_version", "experiments"}


@pytest.fixture(scope="module")
def mlflow_db(request: pytest.FixtureRequest) -> Path:
    """A real database written by the installed `mlflow` package.

    Creating one runs MLflow's ~70 migrations (half a minute on a busy machine), so the file is
    kept in pytest's cache, keyed by the mlflow version; tests only ever read copies of it.
    """
    workdir = request.config.cache.mkdir(f"mlflow-db-{version('mlflow')}")
    db = workdir / "mlflow.db"
    if not db.is_file():
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
        script = (
            "import mlflow; mlflow.set_tracking_uri('sqlite:///partial.db'); "
            "mlflow.create_experiment('from-mlflow')"
        )
        subprocess.run([sys.executable, "-c", script], cwd=workdir, env=env, check=True)
        (workdir / "partial.db").rename(db)  # only a complete database is ever reused
    return db


@pytest.mark.compat
def test_real_mlflow_database_is_refused_byte_for_byte_unchanged(
    mlflow_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "mlflow.db"
    shutil.copyfile(mlflow_db, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for attempt in (
        lambda: SqlTrackingStore(f"sqlite:///{db}"),
        lambda: upgrade_database(f"sqlite:///{db}"),
    ):
        with pytest.raises(MltrailError, match="is an MLflow database"):
            attempt()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlflow.db"]  # no -wal/-shm either


def test_sqlite_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(MltrailError, match="not a SQLite database"):
        SqlTrackingStore(f"sqlite:///{junk}")


def test_opening_an_up_to_date_database_does_not_import_alembic(db_uri: str) -> None:
    upgrade_database(db_uri)
    code = (
        "import sys\n"
        "from mltrail.store.tracking.sql import SqlTrackingStore\n"
        f"store = SqlTrackingStore({db_uri!r})\n"
        "assert store.get_experiment('0').name == 'Default'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
