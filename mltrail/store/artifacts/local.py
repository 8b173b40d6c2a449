"""Artifacts in a local directory (plain paths and ``file:`` URIs).

Every path is confined to the repository root through `mltrail._paths`; files are written to a
temporary sibling and renamed into place, so an interrupted upload leaves nothing half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from mltrail._paths import confined, normalize_artifact_path
from mltrail.entities import FileInfo
from mltrail.errors import InvalidParameter, NotFound

_TEMP_PREFIX = ".mltrail-upload-"


class LocalArtifactRepository:
    """An `ArtifactRepository` over a directory of the local filesystem."""

    def __init__(self, artifact_uri: str) -> None:
        self.artifact_uri = artifact_uri
        self.root = local_path_of(artifact_uri)

    def __repr__(self) -> str:
        return f"LocalArtifactRepository({self.artifact_uri!r})"

    # -- writing ---------------------------------------------------------------------------

    def log_artifact(self, local_file: str, artifact_path: str | None = None) -> None:
        source = Path(local_file)
        if not source.is_file():
            raise InvalidParameter(f"Cannot log artifact: {local_file!r} is not a file.")
        target = self._location(_join(artifact_path, source.name))
        with _atomic_file(target) as temp:
            shutil.copyfile(source, temp)

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        source = Path(local_dir)
        if not source.is_dir():
            raise InvalidParameter(f"Cannot log artifacts: {local_dir!r} is not a directory.")
        prefix = normalize_artifact_path(artifact_path)
        self._location(prefix).mkdir(parents=True, exist_ok=True)
        for folder, dirnames, filenames in os.walk(source, followlinks=True):
            rel_folder = Path(folder).relative_to(source).as_posix()
            for name in sorted(dirnames):
                self._location(_join(prefix, rel_folder, name)).mkdir(exist_ok=True)
            for name in filenames:
                with _atomic_file(self._location(_join(prefix, rel_folder, name))) as temp:
                    shutil.copyfile(Path(folder, name), temp)

    def write_stream(self, artifact_path: str, chunks: Iterable[bytes]) -> None:
        target = self._location(artifact_path)
        if target == self.root.resolve():
            raise InvalidParameter("Cannot write a stream to the artifact root; name a file.")
        with _atomic_file(target) as temp, temp.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)

    def delete_artifacts(self, artifact_path: str | None = None) -> None:
        rel = normalize_artifact_path(artifact_path)
        folder, _, name = rel.rpartition("/")
        # Resolve only the parent: a symlink named by the path is removed, not followed.
        target = self._location(folder) / name if name else self._location("")
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)

    # -- reading ---------------------------------------------------------------------------

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        rel = normalize_artifact_path(path)
        folder = self._location(rel)
        if not folder.is_dir():
            return []
        with os.scandir(folder) as entries:
            visible = sorted(
                (e for e in entries if not e.name.startswith(_TEMP_PREFIX)), key=lambda e: e.name
            )
        return [_file_info(rel, entry) for entry in visible]

    def download_artifacts(self, artifact_path: str, dst_path: str | None = None) -> str:
        rel = normalize_artifact_path(artifact_path)
        source = self._existing(rel)
        destination = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="mltrail-"))
        destination.mkdir(parents=True, exist_ok=True)
        local = destination.joinpath(rel) if rel else destination
        if source.is_dir():
            self._copy_tree(rel, local)
        else:
            local.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, local)
        return str(local.absolute())

    def read_stream(self, artifact_path: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        source = self._existing(artifact_path)
        if not source.is_file():
            raise InvalidParameter(f"Artifact {artifact_path!r} is a directory, not a file.")
        return _chunks_of(source, chunk_size)

    # -- helpers ---------------------------------------------------------------------------

    def _location(self, rel: str | None) -> Path:
        return confined(self.root, rel)

    def _existing(self, rel: str | None) -> Path:
        location = self._location(rel)
        if not location.exists():
            raise NotFound(f"Artifact {rel or '/'!r} does not exist under {self.artifact_uri}.")
        return location

    def _copy_tree(self, rel: str, local: Path) -> None:
        # Walk through our own listing so every entry is confined, symlinks included.
        local.mkdir(parents=True, exist_ok=True)
        for info in self.list_artifacts(rel):
            name = info.path.rsplit("/", 1)[-1]
            if info.is_dir:
                self._copy_tree(info.path, local / name)
            else:
                shutil.copyfile(self._location(info.path), local / name)


def local_path_of(artifact_uri: str) -> Path:
    """The absolute directory named by a plain path or a ``file:`` URI."""
    parsed = urlparse(artifact_uri)
    if parsed.scheme != "file" or _is_windows_drive(artifact_uri):
        return Path(artifact_uri).expanduser().absolute()
    if parsed.netloc not in ("", "localhost"):
        raise InvalidParameter(
            f"Artifact URI {artifact_uri!r} names a remote host; file: URIs must be local."
        )
    return Path(unquote(parsed.path)).absolute()


def _file_info(folder: str, entry: os.DirEntry[str]) -> FileInfo:
    path = _join(folder, entry.name)
    if entry.is_dir():
        return FileInfo(path=path, is_dir=True)
    try:
        return FileInfo(path=path, is_dir=False, file_size=entry.stat().st_size)
    except OSError:  # a dangling symlink: list it, it just has no size
        return FileInfo(path=path, is_dir=False)


def _is_windows_drive(uri: str) -> bool:
    return len(uri) > 1 and uri[1] == ":" and uri[0].isalpha()


def _join(*parts: str | None) -> str:
    return "/".join(p for p in parts if p and p != ".")


@contextmanager
def _atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; move it into place only if the block succeeds."""
    if target.is_dir():
        raise InvalidParameter(f"Cannot write file {target.name!r}: a directory has that name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f"{_TEMP_PREFIX}{uuid.uuid4().hex}"
    # os.open with 0o666 lets the umask decide the final permissions, as for any new file.
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temp
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _chunks_of(path: Path, chunk_size: int) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while chunk := stream.read(chunk_size):
            yield chunk
