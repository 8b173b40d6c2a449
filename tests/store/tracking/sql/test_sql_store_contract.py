"""The tracking store contract, run against SQLite, PostgreSQL and MariaDB.

One database and store per backend serves the whole class (creating a schema costs about a
second on MariaDB); the contract tests never assume an empty store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.store.tracking.base import LoggedModelStore, MaintenanceStore, TrackingStore
from mltrail.store.tracking.sql import SqlTrackingStore
from mltrail.testing.databases import BACKENDS, temporary_database
from mltrail.testing.tracking_contract import (
    LoggedModelStoreContract,
    MaintenanceStoreContract,
    TrackingStoreContract,
)


@pytest.fixture(scope="class", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlTrackingStore]:
    workdir: Path = tmp_path_factory.mktemp(request.param)
    with temporary_database(request.param, workdir) as uri:
        sql_store = SqlTrackingStore(uri, artifact_root=str(workdir / "artifacts"))
        yield sql_store
        sql_store.close()


class TestSqlStoreContract(
    TrackingStoreContract, LoggedModelStoreContract, MaintenanceStoreContract
):
    def test_implements_the_protocols(self, store: SqlTrackingStore) -> None:
        assert isinstance(store, TrackingStore)
        assert isinstance(store, LoggedModelStore)
        assert isinstance(store, MaintenanceStore)
