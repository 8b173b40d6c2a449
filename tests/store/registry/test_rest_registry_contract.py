"""The registry store contract through `RestRegistryStore` against a live mltrail server.

The server keeps artifacts under ``s3://bucket`` (never touched here), so the contract's
``s3://bucket/...`` version sources lie inside the roots the server owns and every other
source the contract tries is outside them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.settings import Settings
from mltrail.store.registry import registry_store_for
from mltrail.store.registry.base import RegistryStore
from mltrail.store.registry.rest import RestRegistryStore
from mltrail.testing.registry_contract import RegistryStoreContract
from tests.compat.conftest import start_server, stop_server


@pytest.fixture(scope="class")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestRegistryStore]:
    root: Path = tmp_path_factory.mktemp("rest-registry-contract")
    server = start_server(root, "--default-artifact-root", "s3://bucket")
    rest = RestRegistryStore(server.url, settings=Settings(http_request_max_retries=0))
    yield rest
    rest.close()
    stop_server(server)


class TestRestRegistryContract(RegistryStoreContract):
    def test_implements_the_protocol(self, registry: RestRegistryStore) -> None:
        assert isinstance(registry, RegistryStore)

    def test_http_uris_select_the_rest_store(self, registry: RestRegistryStore) -> None:
        chosen = registry_store_for(registry.uri)
        assert isinstance(chosen, RestRegistryStore)
        assert chosen.search_registered_models(max_results=1) is not None
