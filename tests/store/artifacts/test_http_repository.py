"""`HttpArtifactRepository` against a live mltrail server's artifact proxy: the contract."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.errors import MltrailError
from mltrail.settings import Settings
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.store.artifacts.http import HttpArtifactRepository, resolve_proxy_uri
from mltrail.store.uri import artifact_repository_for
from mltrail.testing.artifact_contract import ArtifactRepositoryContract
from tests.compat.conftest import LiveServer, start_server, stop_server

NO_RETRIES = Settings(http_request_max_retries=0)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("http-artifacts"))
    yield live
    stop_server(live)


class TestHttpArtifactRepository(ArtifactRepositoryContract):
    @pytest.fixture
    def repo(self, server: LiveServer) -> ArtifactRepository:
        uri = f"mlflow-artifacts:/contract/{uuid.uuid4().hex}"
        return HttpArtifactRepository(uri, tracking_uri=server.url, settings=NO_RETRIES)

    def plant_symlink(self, repo: ArtifactRepository, link: str, target: Path) -> None:
        assert isinstance(repo, HttpArtifactRepository)
        root = Path(self.server_root) / "mlartifacts" / repo.root
        root.mkdir(parents=True, exist_ok=True)
        (root / link).symlink_to(target)

    @pytest.fixture(autouse=True)
    def _remember_server(self, server: LiveServer) -> None:
        self.server_root = str(server.root)


@pytest.mark.parametrize(
    ("uri", "tracking", "expected"),
    [
        (
            "mlflow-artifacts:/1/run/artifacts",
            "http://h:5000",
            ("http://h:5000", "1/run/artifacts"),
        ),
        ("mlflow-artifacts:/1/a", "https://h/prefix/", ("https://h/prefix", "1/a")),
        ("mlflow-artifacts://other:81/1/a", "https://h", ("https://other:81", "1/a")),
        (
            "http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/a",
            None,
            ("http://h:5000", "1/a"),
        ),
    ],
)
def test_proxy_uris_resolve_to_a_server_and_path(
    uri: str, tracking: str | None, expected: tuple[str, str]
) -> None:
    assert resolve_proxy_uri(uri, tracking) == expected


def test_proxy_uris_need_an_http_tracking_server() -> None:
    with pytest.raises(MltrailError, match="MLFLOW_TRACKING_URI"):
        resolve_proxy_uri("mlflow-artifacts:/1/a", "sqlite:///x.db")


def test_scheme_registry_picks_the_proxy_repository(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    repo = artifact_repository_for("mlflow-artifacts:/picked")
    assert isinstance(repo, HttpArtifactRepository)
    repo.write_stream("x.txt", [b"hi"])
    assert b"".join(repo.read_stream("x.txt")) == b"hi"
