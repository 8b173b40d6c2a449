"""The behaviour every `ArtifactRepository` must show, as a pytest class to subclass.

A backend's test module subclasses `ArtifactRepositoryContract` and provides a `repo` fixture
(an empty repository); backends with symlinks also override `plant_symlink`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mltrail.entities import FileInfo
from mltrail.errors import ErrorCode, MltrailError
from mltrail.store.artifacts.base import ArtifactRepository

TRAVERSALS = [
    "../outside.txt",
    "a/../../outside.txt",
    "/etc/passwd",
    "//server/share",
    "C:\\evil.txt",
    "C:/evil.txt",
    "a\\..\\b",
    "%2e%2e/outside.txt",
    "%2E%2E%2Foutside.txt",
    "%252e%252e/outside.txt",
    "a/%2e%2e/%2e%2e/outside.txt",
    "nul\x00byte.txt",
    "line\nbreak.txt",
]


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    """Create `files` (relative path -> content) under `root`; return `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` as relative path -> content."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def paths(infos: list[FileInfo]) -> list[str]:
    return [info.path for info in infos]


class ArtifactRepositoryContract:
    """Subclass in a test module and provide the `repo` fixture."""

    @pytest.fixture
    def repo(self) -> ArtifactRepository:
        raise NotImplementedError("subclasses provide an empty repository")

    def plant_symlink(self, repo: ArtifactRepository, link: str, target: Path) -> None:
        """Make `link` (relative to the root) a symlink to `target`; override if supported."""
        pytest.skip("this backend has no symbolic links")

    # -- upload and listing ----------------------------------------------------------------

    def test_is_an_artifact_repository(self, repo: ArtifactRepository) -> None:
        assert isinstance(repo, ArtifactRepository)

    def test_log_artifact_at_root_and_in_a_nested_dir(
        self, repo: ArtifactRepository, tmp_path: Path
    ) -> None:
        src = write_tree(tmp_path / "src", {"a.txt": b"alpha"}) / "a.txt"
        repo.log_artifact(str(src))
        repo.log_artifact(str(src), "x/y/z")
        assert self._read(repo, "a.txt") == b"alpha"
        assert self._read(repo, "x/y/z/a.txt") == b"alpha"
        assert paths(repo.list_artifacts("x/y")) == ["x/y/z"]

    def test_log_artifact_overwrites(self, repo: ArtifactRepository, tmp_path: Path) -> None:
        src = tmp_path / "f.txt"
        src.write_bytes(b"one")
        repo.log_artifact(str(src))
        src.write_bytes(b"two")
        repo.log_artifact(str(src))
        assert self._read(repo, "f.txt") == b"two"

    def test_log_artifacts_copies_a_tree(self, repo: ArtifactRepository, tmp_path: Path) -> None:
        files = {"top.txt": b"t", "d1/one.bin": b"\x00\x01", "d1/d2/deep.txt": b"deep"}
        repo.log_artifacts(str(write_tree(tmp_path / "src", files)), "model")
        out = Path(repo.download_artifacts("model", str(tmp_path / "out")))
        assert read_tree(out) == files

    def test_list_is_sorted_direct_children_with_sizes(
        self, repo: ArtifactRepository, tmp_path: Path
    ) -> None:
        files = {"b.txt": b"bb", "a.txt": b"a", "sub/c.txt": b"ccc", "sub/inner/d.txt": b""}
        repo.log_artifacts(str(write_tree(tmp_path / "src", files)))
        assert repo.list_artifacts() == [
            FileInfo("a.txt", False, 1),
            FileInfo("b.txt", False, 2),
            FileInfo("sub", True, None),
        ]
        assert repo.list_artifacts("sub") == [
            FileInfo("sub/c.txt", False, 3),
            FileInfo("sub/inner", True, None),
        ]
        expected = [FileInfo("sub/inner/d.txt", False, 0)]
        assert repo.list_artifacts("sub/inner") == repo.list_artifacts("sub//./inner/") == expected

    def test_list_of_missing_path_or_file_is_empty(
        self, repo: ArtifactRepository, tmp_path: Path
    ) -> None:
        assert repo.list_artifacts() == []
        assert repo.list_artifacts("nope") == []
        repo.log_artifact(str(write_tree(tmp_path, {"f.txt": b"x"}) / "f.txt"))
        assert repo.list_artifacts("f.txt") == []

    # -- download --------------------------------------------------------------------------

    def test_download_file_keeps_its_relative_path(
        self, repo: ArtifactRepository, tmp_path: Path
    ) -> None:
        repo.log_artifacts(str(write_tree(tmp_path / "src", {"d/f.txt": b"data"})))
        local = repo.download_artifacts("d/f.txt", str(tmp_path / "dst"))
        assert Path(local) == (tmp_path / "dst" / "d" / "f.txt").absolute()
        assert Path(local).read_bytes() == b"data"

    def test_download_without_destination_uses_a_fresh_directory(
        self, repo: ArtifactRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # keep /tmp clean
        repo.log_artifacts(str(write_tree(tmp_path / "src", {"d/f.txt": b"data"})))
        first = Path(repo.download_artifacts("d"))
        second = Path(repo.download_artifacts("d"))
        assert first != second
        assert read_tree(first) == read_tree(second) == {"f.txt": b"data"}

    def test_download_root(self, repo: ArtifactRepository, tmp_path: Path) -> None:
        files = {"a.txt": b"a", "d/b.txt": b"b"}
        repo.log_artifacts(str(write_tree(tmp_path / "src", files)))
        assert read_tree(Path(repo.download_artifacts("", str(tmp_path / "dst")))) == files

    def test_download_missing_is_resource_does_not_exist(
        self, repo: ArtifactRepository, tmp_path: Path
    ) -> None:
        with pytest.raises(MltrailError) as info:
            repo.download_artifacts("missing.txt", str(tmp_path))
        assert info.value.code == ErrorCode.RESOURCE_DOES_NOT_EXIST

    # -- streams ---------------------------------------------------------------------------

    def test_stream_round_trip_in_chunks(self, repo: ArtifactRepository) -> None:
        chunks = [os.urandom(1000) for _ in range(5)]
        repo.write_stream("streams/blob.bin", iter(chunks))
        read = list(repo.read_stream("streams/blob.bin", chunk_size=1024))
        assert b"".join(read) == b"".join(chunks)
        assert max(len(c) for c in read) <= 1024
        assert len(read) == 5

    def test_failed_stream_leaves_nothing(self, repo: ArtifactRepository) -> None:
        def broken() -> Iterator[bytes]:
            yield b"partial"
            raise OSError("connection lost")

        with pytest.raises(OSError, match="connection lost"):
            repo.write_stream("up/file.bin", broken())
        assert paths(repo.list_artifacts("up")) == []

    def test_failed_stream_keeps_the_previous_version(self, repo: ArtifactRepository) -> None:
        repo.write_stream("f.bin", [b"old"])

        def broken() -> Iterator[bytes]:
            yield b"new"
            raise OSError("disk gone")

        with pytest.raises(OSError, match="disk gone"):
            repo.write_stream("f.bin", broken())
        assert self._read(repo, "f.bin") == b"old"
        assert paths(repo.list_artifacts()) == ["f.bin"]

    def test_read_stream_of_missing_file(self, repo: ArtifactRepository) -> None:
        with pytest.raises(MltrailError) as info:
            repo.read_stream("nothing.bin")
        assert info.value.code == ErrorCode.RESOURCE_DOES_NOT_EXIST

    # -- delete ----------------------------------------------------------------------------

    def test_delete_file_dir_and_everything(self, repo: ArtifactRepository, tmp_path: Path) -> None:
        files = {"keep.txt": b"k", "gone.txt": b"g", "d/x.txt": b"x", "d/e/y.txt": b"y"}
        repo.log_artifacts(str(write_tree(tmp_path / "src", files)))
        repo.delete_artifacts("gone.txt")
        repo.delete_artifacts("d")
        assert paths(repo.list_artifacts()) == ["keep.txt"]
        repo.delete_artifacts()
        assert repo.list_artifacts() == []

    def test_delete_missing_is_a_no_op(self, repo: ArtifactRepository) -> None:
        repo.delete_artifacts("never/was")
        repo.delete_artifacts()
        assert repo.list_artifacts() == []

    # -- confinement -----------------------------------------------------------------------

    @pytest.mark.parametrize("bad", TRAVERSALS)
    def test_traversal_is_refused_everywhere(
        self, repo: ArtifactRepository, tmp_path: Path, bad: str
    ) -> None:
        src = write_tree(tmp_path / "src", {"f.txt": b"x"})
        attempts: list[Callable[[], object]] = [
            lambda: repo.log_artifact(str(src / "f.txt"), bad),
            lambda: repo.log_artifacts(str(src), bad),
            lambda: repo.list_artifacts(bad),
            lambda: repo.download_artifacts(bad, str(tmp_path / "dst")),
            lambda: repo.delete_artifacts(bad),
            lambda: repo.write_stream(bad, [b"x"]),
            lambda: repo.read_stream(bad),
        ]
        for attempt in attempts:
            with pytest.raises(MltrailError) as info:
                attempt()
            assert info.value.code == ErrorCode.INVALID_PARAMETER_VALUE
        assert not (tmp_path / "outside.txt").exists()

    def test_percent_signs_in_names_are_kept(self, repo: ArtifactRepository) -> None:
        repo.write_stream("100%25 done/a%20b.txt", [b"ok"])
        assert paths(repo.list_artifacts()) == ["100%25 done"]
        assert self._read(repo, "100%25 done/a%20b.txt") == b"ok"

    def test_symlink_escaping_the_root_is_refused(
        self, repo: ArtifactRepository, tmp_path: Path
    ) -> None:
        outside = write_tree(tmp_path / "outside", {"secret.txt": b"secret"})
        self.plant_symlink(repo, "link", outside)
        with pytest.raises(MltrailError) as info:
            repo.read_stream("link/secret.txt")
        assert info.value.code == ErrorCode.INVALID_PARAMETER_VALUE
        attempts: list[Callable[[], object]] = [
            lambda: repo.download_artifacts("link/secret.txt", str(tmp_path / "dst")),
            lambda: repo.list_artifacts("link"),
            lambda: repo.write_stream("link/planted.txt", [b"x"]),
            lambda: repo.delete_artifacts("link/secret.txt"),
        ]
        for attempt in attempts:
            with pytest.raises(MltrailError):
                attempt()
        assert read_tree(outside) == {"secret.txt": b"secret"}
        repo.delete_artifacts("link")  # removes the link itself, never what it points to
        assert read_tree(outside) == {"secret.txt": b"secret"}

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _read(repo: ArtifactRepository, path: str) -> bytes:
        return b"".join(repo.read_stream(path))
