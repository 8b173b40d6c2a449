"""Artifacts behind a tracking server's proxy: ``mlflow-artifacts:`` and ``http(s)://`` URIs.

``mlflow-artifacts:/<path>`` is resolved against the tracking server (the tracking URI, from
the environment unless given); ``mlflow-artifacts://host:port/<path>`` names the server, and
``http(s)://host/.../api/2.0/mlflow-artifacts/artifacts/<path>`` is the proxy URL itself.
Transfers stream through one keep-alive connection pool; uploads of files are retried.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

from mltrail._paths import normalize_artifact_path
from mltrail.entities import FileInfo
from mltrail.errors import ErrorCode, InvalidParameter, MltrailError
from mltrail.settings import Settings
from mltrail.store.rest_client import RestClient
from mltrail.wire.codecs import file_info_from_dict

PROXY_ROOT = "/api/2.0/mlflow-artifacts/artifacts"
PROXY_SCHEMES = ("mlflow-artifacts", "mltrail-artifacts")
CHUNK = 1 << 20


def resolve_proxy_uri(artifact_uri: str, tracking_uri: str | None) -> tuple[str, str]:
    """(server base URL, path under the proxy root) for an artifact URI."""
    parts = urlsplit(artifact_uri)
    path = parts.path
    if parts.scheme in ("http", "https"):
        prefix, found, rest = path.partition(PROXY_ROOT)
        if not found:
            raise InvalidParameter(f"{artifact_uri!r} is not an artifact proxy URL.")
        return f"{parts.scheme}://{parts.netloc}{prefix}", rest.strip("/")
    if parts.scheme not in PROXY_SCHEMES:
        raise InvalidParameter(f"Unsupported artifact URI scheme in {artifact_uri!r}.")
    tracking = urlsplit(tracking_uri or "")
    if tracking.scheme not in ("http", "https"):
        raise MltrailError(
            f"{artifact_uri!r} is served by a tracking server, but the tracking URI "
            f"({tracking_uri or 'unset'}) is not an http(s) server; set MLFLOW_TRACKING_URI.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    if parts.netloc:
        return f"{tracking.scheme}://{parts.netloc}", path.strip("/")
    base = f"{tracking.scheme}://{tracking.netloc}{tracking.path.rstrip('/')}"
    return base, path.strip("/")


def _join(*parts: str | None) -> str:
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def _file_chunks(local_file: Path) -> Iterator[bytes]:
    with local_file.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


class HttpArtifactRepository:
    """An `ArtifactRepository` talking to ``/api/2.0/mlflow-artifacts`` on a server."""

    def __init__(
        self,
        artifact_uri: str,
        *,
        tracking_uri: str | None = None,
        settings: Settings | None = None,
        client: RestClient | None = None,
    ) -> None:
        self.artifact_uri = artifact_uri
        settings = settings or Settings.from_env()
        base_url, self.root = resolve_proxy_uri(artifact_uri, tracking_uri or settings.tracking_uri)
        self.rest = client or shared_client(base_url, settings)

    def __repr__(self) -> str:
        return f"HttpArtifactRepository({self.artifact_uri!r})"

    def _remote(self, artifact_path: str | None) -> str:
        """The proxy path of a repository-relative path, checked and URL-quoted."""
        return _join(self.root, normalize_artifact_path(artifact_path))

    def _url(self, artifact_path: str | None) -> str:
        return f"{PROXY_ROOT}/{quote(self._remote(artifact_path))}"

    # -- writing -------------------------------------------------------------------------------

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        source = Path(local_file)
        if not source.is_file():
            raise InvalidParameter(f"Cannot log artifact: {local_file!r} is not a file.")
        url = self._url(_join(normalize_artifact_path(artifact_path), source.name))
        self.rest.upload(url, lambda: _file_chunks(source))

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        source = Path(local_dir)
        if not source.is_dir():
            raise InvalidParameter(f"Cannot log artifacts: {local_dir!r} is not a directory.")
        prefix = normalize_artifact_path(artifact_path)
        for folder, _dirs, files in os.walk(source):
            relative = Path(folder).relative_to(source).as_posix()
            for name in sorted(files):
                destination = _join(prefix, "" if relative == "." else relative)
                self.log_artifact(str(Path(folder, name)), destination or None)

    def write_stream(self, artifact_path: str, chunks: Iterable[bytes]) -> None:
        if not normalize_artifact_path(artifact_path):
            raise InvalidParameter("Cannot write a stream to the artifact root; name a file.")
        self.rest.upload(self._url(artifact_path), chunks)

    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        self.rest.call("DELETE", self._url(artifact_path))

    # -- reading -------------------------------------------------------------------------------

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        rel = normalize_artifact_path(path)
        found = self.rest.call("GET", PROXY_ROOT, params={"path": self._remote(rel)})
        infos = [file_info_from_dict(f) for f in found.get("files", ())]
        return [FileInfo(_join(rel, f.path), f.is_dir, f.file_size) for f in infos]

    def read_stream(self, artifact_path: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        return self.rest.download(self._url(artifact_path), chunk_size)

    def download_artifacts(self, artifact_path: str, dst_path: str | None = None) -> str:
        rel = normalize_artifact_path(artifact_path)
        destination = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="mltrail-"))
        local = destination.joinpath(rel) if rel else destination
        listing = self.list_artifacts(rel)
        if listing or not rel:
            self._download_tree(rel, local, listing)
        else:
            self._download_file(rel, local)
        return str(local.absolute())

    def _download_tree(self, rel: str, local: Path, listing: list[FileInfo]) -> None:
        local.mkdir(parents=True, exist_ok=True)
        for info in listing:
            target = local / info.path.rsplit("/", 1)[-1]
            if info.is_dir:
                self._download_tree(info.path, target, self.list_artifacts(info.path))
            else:
                self._download_file(info.path, target)

    def _download_file(self, rel: str, local: Path) -> None:
        local.parent.mkdir(parents=True, exist_ok=True)
        partial = local.with_name(f".{local.name}.part")
        try:
            with partial.open("wb") as out:
                for chunk in self.read_stream(rel):
                    out.write(chunk)
            partial.replace(local)
        finally:
            partial.unlink(missing_ok=True)


# One keep-alive client per server (and settings) for all its repositories: a run's artifact
# calls reuse one connection instead of opening a socket per repository object.
_shared: dict[tuple[str, Settings], RestClient] = {}
_shared_lock = threading.Lock()


def shared_client(base_url: str, settings: Settings) -> RestClient:
    """The client that repositories on `base_url` with these settings share."""
    key = (base_url, settings)
    with _shared_lock:
        client = _shared.get(key)
        if client is None:
            client = _shared[key] = RestClient(base_url, settings)
    return client


def close_shared_clients() -> None:
    """Close and forget the shared clients (with the cached tracking stores, in tests)."""
    with _shared_lock:
        clients = list(_shared.values())
        _shared.clear()
    for client in clients:
        client.close()
