"""The tracking store contract through `RestTrackingStore` against a live mltrail server.

The server keeps new experiments' artifacts under ``s3://bucket`` (never touched here) so the
contract's explicit ``s3://bucket/...`` locations lie inside the roots the server owns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.settings import Settings
from mltrail.store.tracking.base import LoggedModelStore, TrackingStore
from mltrail.store.tracking.rest import RestTrackingStore
from mltrail.store.uri import tracking_store_for
from mltrail.testing.tracking_contract import LoggedModelStoreContract, TrackingStoreContract
from tests.compat.conftest import start_server, stop_server


@pytest.fixture(scope="class")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestTrackingStore]:
    root: Path = tmp_path_factory.mktemp("rest-contract")
    server = start_server(root, "--default-artifact-root", "s3://bucket")
    rest = RestTrackingStore(server.url, settings=Settings(http_request_max_retries=0))
    yield rest
    rest.close()
    stop_server(server)


class TestRestStoreContract(TrackingStoreContract, LoggedModelStoreContract):
    def test_implements_the_protocols(self, store: RestTrackingStore) -> None:
        assert isinstance(store, TrackingStore)
        assert isinstance(store, LoggedModelStore)

    def test_http_uris_select_the_rest_store(self, store: RestTrackingStore) -> None:
        chosen = tracking_store_for(store.uri)
        assert isinstance(chosen, RestTrackingStore)
        assert chosen.get_experiment("0").name == "Default"
