"""A registry store on the tracking store's database borrows its connections instead of opening
a second pool (and, on SQLite, a second writer competing for the same file)."""

from __future__ import annotations

from pathlib import Path

from mltrail.server.context import ServerContext
from mltrail.server.settings import ServerSettings
from mltrail.store.registry import registry_store_for
from mltrail.store.registry.sql.store import SqlRegistryStore
from mltrail.store.tracking.sql import SqlTrackingStore


def test_same_database_is_shared_and_stays_the_tracking_stores(db_uri: str) -> None:
    tracking = SqlTrackingStore(db_uri)
    registry = registry_store_for(db_uri, tracking_store=tracking)
    assert isinstance(registry, SqlRegistryStore)
    assert registry._db is tracking.database
    registry.create_registered_model("churn")
    registry.close()  # a borrower: the tracking store's connections stay open
    experiment_id = tracking.create_experiment("after-close")
    assert tracking.get_experiment(experiment_id).name == "after-close"
    tracking.close()


def test_another_database_gets_its_own_connections(tmp_path: Path) -> None:
    tracking = SqlTrackingStore(f"sqlite:///{tmp_path / 'tracking.db'}")
    registry = registry_store_for(f"sqlite:///{tmp_path / 'registry.db'}", tracking_store=tracking)
    assert isinstance(registry, SqlRegistryStore)
    assert registry._db is not tracking.database
    registry.close()
    tracking.close()


def test_server_context_opens_one_database(tmp_path: Path) -> None:
    settings = ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        default_artifact_root=str(tmp_path / "artifacts"),
    )
    context = ServerContext.build(settings)
    tracking = context.tracking
    assert isinstance(tracking, SqlTrackingStore)
    assert getattr(context.registry, "_db", None) is tracking.database
