"""The registry contract on SQLite, PostgreSQL and MariaDB (one database per backend and class)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.store.registry.base import RegistryStore
from mltrail.store.registry.sql import SqlRegistryStore
from mltrail.testing.databases import BACKENDS, temporary_database
from mltrail.testing.registry_contract import RegistryStoreContract


@pytest.fixture(scope="class", params=BACKENDS)
def registry(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlRegistryStore]:
    workdir: Path = tmp_path_factory.mktemp(request.param)
    with temporary_database(request.param, workdir) as uri:
        store = SqlRegistryStore(uri, artifact_root=str(workdir / "artifacts"))
        yield store
        store.close()


class TestSqlRegistryContract(RegistryStoreContract):
    def test_implements_the_protocol(self, registry: SqlRegistryStore) -> None:
        assert isinstance(registry, RegistryStore)
