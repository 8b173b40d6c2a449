"""Run-context tags and the run snapshot, observed from real scripts in real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mltrail.errors import ErrorCode, MltrailError
from mltrail.tracking import source
from mltrail.tracking.git import git_info, without_credentials

SCRIPT = """
import json
from mltrail.tracking.source import default_run_tags, log_run_snapshot

logged = {}
log_run_snapshot(lambda text, path: logged.__setitem__(path, text))
print(json.dumps({"tags": default_run_tags({"user.tag": "mine"}), "logged": logged}))
"""


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed work tree with the script in a subfolder and a credentialed remote."""
    root = tmp_path / "repo"
    (root / "jobs").mkdir(parents=True)
    (root / "jobs" / "train.py").write_text(SCRIPT)
    (root / "data.txt").write_text("one\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "upstream", "https://bob:s3cret@git.example.com/team/proj.git")
    git(root, "remote", "add", "origin", "git@example.com:team/fork.git")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


def run_script(cwd: Path, script: str, **env: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, script],
        cwd=cwd,
        env={**os.environ, "LOGNAME": "os-alice", "USER": "os-alice", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_script_in_a_git_work_tree_gets_mlflows_source_and_git_tags(repo: Path) -> None:
    out = run_script(repo, "jobs/train.py")

    assert out["tags"] == {
        "mlflow.user": "os-alice",
        "mlflow.source.name": "jobs/train.py",
        "mlflow.source.type": "LOCAL",
        "mlflow.source.git.commit": git(repo, "rev-parse", "HEAD"),
        "mlflow.source.git.branch": "main",
        # The first remote in config order, with its credentials removed.
        "mlflow.source.git.repoURL": "https://git.example.com/team/proj.git",
        "user.tag": "mine",
    }
    assert out["logged"] == {}  # a clean tree has no diff to log


def test_dirty_tree_logs_its_diff_and_packages_list_is_opt_in(repo: Path) -> None:
    (repo / "data.txt").write_text("two\n")
    out = run_script(repo / "jobs", "train.py", MLTRAIL_LOG_INSTALLED_PACKAGES="true")

    assert out["tags"]["mlflow.source.name"] == "train.py"
    diff = out["logged"]["git/diff.patch"]
    assert "-one" in diff
    assert "+two" in diff
    assert "data.txt" in diff
    packages = out["logged"]["environment/installed-packages.txt"].splitlines()
    assert f"pytest=={pytest.__version__}" in packages
    names = [line.partition("==")[0].lower() for line in packages]
    assert names == sorted(names)


def test_git_diff_logging_can_be_switched_off(repo: Path) -> None:
    (repo / "data.txt").write_text("two\n")
    out = run_script(repo, "jobs/train.py", MLTRAIL_LOG_GIT_DIFF="false")
    assert out["logged"] == {}


def test_detached_head_without_remotes_tags_only_the_commit(repo: Path) -> None:
    git(repo, "remote", "remove", "upstream")
    git(repo, "remote", "remove", "origin")
    git(repo, "checkout", "-q", "--detach")
    tags = run_script(repo, "jobs/train.py")["tags"]

    assert tags["mlflow.source.git.commit"] == git(repo, "rev-parse", "HEAD")
    assert "mlflow.source.git.branch" not in tags
    assert "mlflow.source.git.repoURL" not in tags


def test_script_ignored_by_git_has_no_git_tags(repo: Path) -> None:
    (repo / ".gitignore").write_text("scratch/\n")
    (repo / "scratch").mkdir()
    (repo / "scratch" / "try.py").write_text(SCRIPT)
    tags = run_script(repo, "scratch/try.py")["tags"]
    assert not any(key.startswith("mlflow.source.git.") for key in tags)


def test_script_outside_a_work_tree_has_no_git_tags(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SCRIPT)
    tags = run_script(tmp_path, str(tmp_path / "train.py"), MLFLOW_TRACKING_USERNAME="ana")["tags"]

    assert tags["mlflow.user"] == "ana"
    assert tags["mlflow.source.name"] == str(tmp_path / "train.py")
    assert not any(key.startswith("mlflow.source.git.") for key in tags)


def test_git_facts_are_cached_per_file(repo: Path) -> None:
    script = str(repo / "jobs" / "train.py")
    first = git_info(script)
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    assert first is not None
    assert git_info(script) is first
    source.clear_context_cache()
    refreshed = git_info(script)
    assert refreshed is not None
    assert refreshed.commit != first.commit


def test_run_context_json_merges_below_user_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_RUN_CONTEXT", json.dumps({"team": "ctx", "mlflow.user": "svc"}))
    tags = source.default_run_tags({"team": "mine"})
    assert tags["team"] == "mine"
    assert tags["mlflow.user"] == "svc"

    monkeypatch.setenv("MLTRAIL_RUN_CONTEXT", json.dumps({"team": "ours", "n": 3}))
    tags = source.default_run_tags(None)
    assert (tags["team"], tags["n"]) == ("ours", "3")


@pytest.mark.parametrize("raw", ["not json", "[1, 2]"])
def test_malformed_run_context_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("MLFLOW_RUN_CONTEXT", raw)
    with pytest.raises(MltrailError, match="MLFLOW_RUN_CONTEXT") as caught:
        source.default_run_tags(None)
    assert caught.value.code is ErrorCode.INVALID_PARAMETER_VALUE


def test_launcher_declares_source_type_and_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLTRAIL_SOURCE_TYPE", "project")
    monkeypatch.setenv("MLTRAIL_SOURCE_NAME", "https://github.com/org/proj")
    tags = source.default_run_tags(None)
    assert tags["mlflow.source.type"] == "PROJECT"
    assert tags["mlflow.source.name"] == "https://github.com/org/proj"

    monkeypatch.setenv("MLTRAIL_SOURCE_TYPE", "SPACESHIP")
    with pytest.raises(MltrailError, match="MLTRAIL_SOURCE_TYPE"):
        source.default_run_tags(None)


def test_notebook_kernel_reports_the_notebook(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "argv", ["/env/ipykernel_launcher.py", "-f", "kernel.json"])
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "analysis.ipynb"))
    tags = source.default_run_tags(None)
    assert tags["mlflow.source.type"] == "NOTEBOOK"
    assert tags["mlflow.source.name"] == str(tmp_path / "analysis.ipynb")


def test_interactive_session_is_named_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [""])
    tags = source.default_run_tags(None)
    assert tags["mlflow.source.name"] == "<console>"
    assert not any(key.startswith("mlflow.source.git.") for key in tags)


def test_datasets_built_in_code_record_the_run_context() -> None:
    import pandas as pd

    import mltrail.data

    dataset = mltrail.data.from_pandas(pd.DataFrame({"a": [1.0]}))
    assert dataset.source.to_dict() == {"tags": source.default_run_tags(None)}
    assert dataset.to_entity().source_type == "code"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:token@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://github.com/o/r.git", "https://github.com/o/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("ssh://git@host:22/o/r.git", "ssh://host:22/o/r.git"),
    ],
)
def test_remote_urls_lose_their_credentials(url: str, expected: str) -> None:
    assert without_credentials(url) == expected
