"""An artifact repository on the `memory://` scheme: files live in this process's memory.

`memory://bucket/prefix` names a root; repositories with the same root share files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from mltrail.entities import FileInfo

_FILES: dict[str, bytes] = {}  # "memory://bucket/prefix/path/to/file" -> content


class MemoryArtifactRepository:
    def __init__(self, artifact_uri: str) -> None:
        self.artifact_uri = artifact_uri.rstrip("/")

    def _key(self, path: str | None) -> str:
        return f"{self.artifact_uri}/{path.strip('/')}" if path else self.artifact_uri

    def _files_under(self, path: str | None) -> dict[str, bytes]:
        prefix = self._key(path) + "/"
        root = len(self.artifact_uri) + 1
        return {key[root:]: data for key, data in _FILES.items() if key.startswith(prefix)}

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        name = os.path.basename(local_file)
        target = f"{artifact_path.strip('/')}/{name}" if artifact_path else name
        _FILES[self._key(target)] = Path(local_file).read_bytes()

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        for file in sorted(Path(local_dir).rglob("*")):
            if file.is_file():
                parent = file.parent.relative_to(local_dir).as_posix()
                parts = [p for p in (artifact_path, parent) if p and p != "."]
                self.log_artifact(str(file), "/".join(parts) or None)

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        base = f"{path.strip('/')}/" if path else ""
        children: dict[str, FileInfo] = {}
        for relative, data in self._files_under(path).items():
            head, _, rest = relative[len(base) :].partition("/")
            child = base + head
            children[child] = FileInfo(child, True) if rest else FileInfo(child, False, len(data))
        return sorted(children.values(), key=lambda info: info.path)

    def download_artifacts(self, artifact_path: str, dst_path: str | None = None) -> str:
        destination = Path(dst_path or tempfile.mkdtemp())
        if self._key(artifact_path) in _FILES:
            target = destination / os.path.basename(artifact_path)
            target.write_bytes(_FILES[self._key(artifact_path)])
            return str(target)
        for relative, data in self._files_under(artifact_path).items():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return str(destination / artifact_path)

    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        for relative in self._files_under(artifact_path):
            del _FILES[self._key(relative)]
        _FILES.pop(self._key(artifact_path), None)

    def write_stream(self, artifact_path: str, chunks: Iterable[bytes]) -> None:
        _FILES[self._key(artifact_path)] = b"".join(chunks)

    def read_stream(self, artifact_path: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        data = _FILES[self._key(artifact_path)]
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]
