"""Artifact trees: where a source's artifact URIs can be read, and copying one tree.

Files stream from one repository to the other (never whole in memory); a file already present
at the destination with the same size is skipped, so an interrupted copy resumes cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mltrail.entities import FileInfo
from mltrail.store.artifacts.base import ArtifactRepository

PROXY_SCHEMES = ("mlflow-artifacts", "mltrail-artifacts")


@dataclass(frozen=True)
class SourceArtifacts:
    """How a source's artifact URIs are opened.

    `proxy_root` is the local folder behind ``mlflow-artifacts:`` URIs (the source server's
    ``--artifacts-destination``); `server_url` reads them through a server's artifact proxy.
    """

    proxy_root: Path | None = None
    server_url: str | None = None

    def repository(self, artifact_uri: str) -> ArtifactRepository | None:
        if not artifact_uri:
            return None
        scheme = urlsplit(artifact_uri).scheme
        if scheme in PROXY_SCHEMES:
            if self.proxy_root is not None:
                path = urlsplit(artifact_uri).path.lstrip("/")
                return _local(str(self.proxy_root / path))
            if self.server_url is None:
                return None
            return open_repository(artifact_uri, self.server_url)
        return open_repository(artifact_uri, self.server_url)


def _local(path: str) -> ArtifactRepository:
    from mltrail.store.artifacts.local import LocalArtifactRepository

    return LocalArtifactRepository(path)


def open_repository(artifact_uri: str, tracking_uri: str | None) -> ArtifactRepository:
    """The repository for `artifact_uri`; proxy URIs resolve against `tracking_uri`."""
    if urlsplit(artifact_uri).scheme in PROXY_SCHEMES:
        from mltrail.store.artifacts.http import HttpArtifactRepository

        return HttpArtifactRepository(artifact_uri, tracking_uri=tracking_uri)
    from mltrail.store.uri import artifact_repository_for

    return artifact_repository_for(artifact_uri)


@dataclass
class Copied:
    files: int = 0
    bytes: int = 0


def copy_tree(source: ArtifactRepository, target: ArtifactRepository, path: str = "") -> Copied:
    """Copy every file under `path` of `source` to the same place in `target`."""
    copied = Copied()
    try:
        existing = {f.path: f for f in target.list_artifacts(path or None)}
    except Exception:  # a missing folder on the target side lists as empty
        existing = {}
    for item in source.list_artifacts(path or None):
        if item.is_dir:
            more = copy_tree(source, target, item.path)
            copied.files += more.files
            copied.bytes += more.bytes
        elif not _same(item, existing.get(item.path)):
            target.write_stream(item.path, source.read_stream(item.path))
            copied.files += 1
            copied.bytes += item.file_size or 0
    return copied


def _same(item: FileInfo, there: FileInfo | None) -> bool:
    return there is not None and not there.is_dir and there.file_size == item.file_size
