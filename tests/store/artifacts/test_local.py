"""The local-directory artifact repository against the shared contract, plus its URI forms."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.errors import InvalidParameter
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.store.artifacts.local import LocalArtifactRepository, local_path_of
from mltrail.store.uri import artifact_repository_for
from mltrail.testing.artifact_contract import ArtifactRepositoryContract


class TestLocalArtifactRepository(ArtifactRepositoryContract):
    @pytest.fixture
    def repo(self, tmp_path: Path) -> ArtifactRepository:
        return LocalArtifactRepository(str(tmp_path / "artifacts"))

    def plant_symlink(self, repo: ArtifactRepository, link: str, target: Path) -> None:
        assert isinstance(repo, LocalArtifactRepository)
        repo.root.mkdir(parents=True, exist_ok=True)
        (repo.root / link).symlink_to(target, target_is_directory=True)


def test_uri_forms_name_the_same_directory(tmp_path: Path) -> None:
    assert local_path_of(str(tmp_path)) == tmp_path
    assert local_path_of(f"file://{tmp_path}") == tmp_path
    assert local_path_of(f"file://localhost{tmp_path}") == tmp_path
    assert local_path_of("file:rel/dir") == Path.cwd() / "rel" / "dir"
    assert local_path_of("rel/dir") == Path.cwd() / "rel" / "dir"
    assert local_path_of("file:///tmp/with%20space") == Path("/tmp/with space")


def test_remote_file_uri_is_refused() -> None:
    with pytest.raises(InvalidParameter, match="remote host"):
        local_path_of("file://fileserver/share")


def test_registered_for_plain_paths_and_file_uris(tmp_path: Path) -> None:
    assert isinstance(artifact_repository_for(str(tmp_path)), LocalArtifactRepository)
    assert isinstance(artifact_repository_for(f"file://{tmp_path}"), LocalArtifactRepository)


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    repo = LocalArtifactRepository(str(tmp_path / "a"))
    old = os.umask(0o022)
    try:
        repo.write_stream("f.txt", [b"x"])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "f.txt").stat().st_mode) == 0o644


def test_upload_in_progress_is_invisible_and_not_at_its_final_name(tmp_path: Path) -> None:
    repo = LocalArtifactRepository(str(tmp_path / "a"))
    seen: list[list[str]] = []

    def chunks() -> Iterator[bytes]:
        yield b"first"
        seen.append([info.path for info in repo.list_artifacts("d")])
        seen.append(sorted(os.listdir(tmp_path / "a" / "d")))
        yield b"second"

    repo.write_stream("d/f.bin", chunks())
    assert seen[0] == []
    assert len(seen[1]) == 1
    assert seen[1][0].startswith(".mltrail-upload-")
    assert os.listdir(tmp_path / "a" / "d") == ["f.bin"]


def test_internal_symlink_is_followed_for_reading(tmp_path: Path) -> None:
    repo = LocalArtifactRepository(str(tmp_path / "a"))
    repo.write_stream("real/f.txt", [b"data"])
    (tmp_path / "a" / "alias").symlink_to(tmp_path / "a" / "real")
    assert b"".join(repo.read_stream("alias/f.txt")) == b"data"


def test_log_missing_local_file_is_refused(tmp_path: Path) -> None:
    repo = LocalArtifactRepository(str(tmp_path / "a"))
    with pytest.raises(InvalidParameter, match="is not a file"):
        repo.log_artifact(str(tmp_path / "missing.txt"))
    with pytest.raises(InvalidParameter, match="is not a directory"):
        repo.log_artifacts(str(tmp_path / "missing"))


def test_writing_a_file_over_a_directory_is_refused(tmp_path: Path) -> None:
    repo = LocalArtifactRepository(str(tmp_path / "a"))
    repo.write_stream("d/f.txt", [b"x"])
    with pytest.raises(InvalidParameter, match="a directory has that name"):
        repo.write_stream("d", [b"x"])
    with pytest.raises(InvalidParameter, match="artifact root"):
        repo.write_stream("", [b"x"])
