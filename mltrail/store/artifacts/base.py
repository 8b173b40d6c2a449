"""The artifact repository interface; one implementation per URI scheme.

Paths given to a repository are relative, '/'-separated and confined to its root:
`..`, absolute paths, backslashes, control characters and symlink escapes are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from mltrail.entities import FileInfo


@runtime_checkable
class ArtifactRepository(Protocol):
    artifact_uri: str

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        """Copy one local file into `artifact_path` (a directory) under the root."""
        ...

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        """Copy a local directory's contents, recursively, into `artifact_path`."""
        ...

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        """Direct children of `path` (not recursive), with paths relative to the root."""
        ...

    def download_artifacts(self, artifact_path: str, dst_path: str | None = None) -> str:
        """Download a file or directory; return the local path."""
        ...

    def delete_artifacts(self, artifact_path: str | None = None) -> None: ...

    def write_stream(self, artifact_path: str, chunks: Iterable[bytes]) -> None:
        """Write one file from a byte stream without holding it in memory."""
        ...

    def read_stream(self, artifact_path: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Read one file as a byte stream."""
        ...
