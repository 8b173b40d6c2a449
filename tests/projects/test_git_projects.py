"""Projects fetched from git: file:// repositories made here, at a commit, branch or tag, with
a #subdirectory; the run records the commit and the repository URL."""

from __future__ import annotations

from pathlib import Path

import pytest

import mltrail.projects as projects
from mltrail.errors import InvalidParameter, NotFound
from mltrail.tracking import MlflowClient
from tests.projects.conftest import commit_all, git, runs_of, write_files

MLPROJECT = """
name: versioned
entry_points:
  main:
    parameters:
      n: {type: int, default: 1}
    command: "python show.py {n}"
"""
SHOW = """
import os, sys
with open(os.environ["OUT_FILE"], "w") as out:
    out.write(sys.argv[1] + " " + VERSION)
"""


def _project(version: str, prefix: str = "") -> dict[str, str]:
    return {
        f"{prefix}MLproject": MLPROJECT,
        f"{prefix}show.py": SHOW.replace("VERSION", repr(version)),
    }


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """A repository with two commits (v1 tagged, then v2 on main) and a project in sub/."""
    monkeypatch.setenv("OUT_FILE", str(tmp_path / "out.txt"))
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch", "main")
    write_files(root, {**_project("v1"), **_project("sub", "sub/")})
    first = commit_all(root, "v1")
    git(root, "tag", "v1.0")
    git(root, "branch", "old")
    write_files(root, _project("v2"))
    second = commit_all(root, "v2")
    return root, [first, second]


def _out(tmp_path: Path) -> str:
    return (tmp_path / "out.txt").read_text()


def test_file_uri_at_a_commit(
    repo: tuple[Path, list[str]], client: MlflowClient, tmp_path: Path
) -> None:
    root, (first, second) = repo
    uri = root.as_uri()
    submitted = projects.run(uri, version=first, parameters={"n": 5}, env_manager="local")
    assert _out(tmp_path) == "5 v1"
    tags = client.get_run(submitted.run_id).data.tags
    assert tags["mlflow.source.git.commit"] == first
    assert tags["mlflow.source.git.repoURL"] == uri
    assert tags["mlflow.gitRepoURL"] == uri
    assert tags["mlflow.source.name"] == uri
    assert "mlflow.source.git.branch" not in tags  # a detached commit

    latest = projects.run(uri, env_manager="local")
    assert _out(tmp_path) == "1 v2"
    latest_tags = client.get_run(latest.run_id).data.tags
    assert latest_tags["mlflow.source.git.commit"] == second
    assert latest_tags["mlflow.source.git.branch"] == "main"
    # Temporary clones are removed once the run ends.
    assert list((tmp_path / "tmp").glob("mltrail-project-*")) == []


@pytest.mark.parametrize(("version", "expected"), [("v1.0", "1 v1"), ("old", "1 v1")])
def test_tag_and_branch_versions(
    repo: tuple[Path, list[str]], tmp_path: Path, version: str, expected: str
) -> None:
    root, _ = repo
    projects.run(root.as_uri(), version=version, env_manager="local")
    assert _out(tmp_path) == expected


def test_subdirectory_and_local_git_folder_with_version(
    repo: tuple[Path, list[str]], client: MlflowClient, tmp_path: Path
) -> None:
    root, (first, _) = repo
    sub = projects.run(f"{root.as_uri()}#sub", env_manager="local")
    assert _out(tmp_path) == "1 sub"
    assert client.get_run(sub.run_id).data.tags["mlflow.source.name"] == f"{root.as_uri()}#sub"

    # A local git folder runs in place, recording its HEAD ...
    here = projects.run(str(root), env_manager="local")
    assert _out(tmp_path) == "1 v2"
    assert client.get_run(here.run_id).data.tags["mlflow.source.git.commit"] != first
    # ... and is cloned when a version is asked for.
    older = projects.run(str(root), version=first, env_manager="local")
    assert _out(tmp_path) == "1 v1"
    assert client.get_run(older.run_id).data.tags["mlflow.source.git.commit"] == first


def test_git_errors_are_clear_and_leave_no_run(
    repo: tuple[Path, list[str]], client: MlflowClient, tmp_path: Path
) -> None:
    root, _ = repo
    with pytest.raises(InvalidParameter, match="check out version 'nope'"):
        projects.run(root.as_uri(), version="nope", env_manager="local")
    with pytest.raises(NotFound, match="Subdirectory 'missing'"):
        projects.run(f"{root.as_uri()}#missing", env_manager="local")
    with pytest.raises(InvalidParameter, match="could not clone"):
        projects.run((tmp_path / "absent.git").as_uri().replace("file:", "ssh:"), version="x")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(InvalidParameter, match="only supported for git projects"):
        projects.run(str(plain), version="abc")
    assert runs_of(client) == []
    assert list((tmp_path / "tmp").glob("mltrail-project-*")) == []
