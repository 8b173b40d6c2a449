"""The migrations build exactly the tables declared in the registry and tracking schemas, and
the registry and tracking stores share one database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

import mltrail.store.registry.sql.schema  # noqa: F401 - declares the registry tables
from mltrail.store.registry.sql import SqlRegistryStore
from mltrail.store.tracking.sql import SqlTrackingStore
from mltrail.store.tracking.sql.migrations import VERSION_TABLE, head_revision
from mltrail.store.tracking.sql.schema import metadata


def test_migrations_build_the_declared_registry_schema(db_uri: str) -> None:
    with SqlRegistryStore(db_uri) as store, store.engine.connect() as conn:
        assert (
            conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
            == head_revision()
        )
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": store.engine.dialect.name != "mysql",
                "version_table": VERSION_TABLE,
            },
        )
        assert compare_metadata(context, metadata) == []


def test_registry_and_tracking_share_a_database(sqlite_uri: str) -> None:
    with SqlTrackingStore(sqlite_uri) as tracking, SqlRegistryStore(sqlite_uri) as registry:
        run = tracking.create_run("0", "u", 1, [], None)
        registry.create_registered_model("m")
        version = registry.create_model_version(
            "m", f"{run.info.artifact_uri}/model", run.info.run_id
        )
        assert version.run_id == run.info.run_id
        assert tracking.get_experiment("0").name == "Default"
