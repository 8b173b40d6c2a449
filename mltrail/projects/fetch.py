"""Getting a project's files: a local folder as is, or a git repository cloned with `git`.

URIs: a folder path, or a git URI (``https://``, ``ssh://``, ``git@host:org/repo``, ``file://``)
with an optional ``#sub/directory``. A version (commit, branch or tag) needs git: a local
folder that is a git work tree is cloned too when one is given.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mltrail.errors import InvalidParameter, MltrailError, NotFound
from mltrail.tracking.git import git_info, without_credentials

GIT_SCHEMES = ("https", "http", "ssh", "git", "file")
CLONE_TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class FetchedProject:
    directory: Path  # the project folder (the subdirectory, for `uri#sub/dir`)
    source_name: str  # what `mlflow.source.name` records
    git_commit: str | None = None
    git_branch: str | None = None
    git_repo_url: str | None = None
    clone_dir: Path | None = None  # a temporary clone to delete when the run ends


def split_subdirectory(uri: str) -> tuple[str, str]:
    """``"repo#sub/dir"`` -> ``("repo", "sub/dir")``; refuses a subdirectory leaving the repo."""
    base, _, sub = uri.partition("#")
    sub = sub.strip("/")
    if sub and (os.path.isabs(sub) or ".." in Path(sub).parts):
        raise InvalidParameter(f"Subdirectory {sub!r} of {base!r} must stay inside the project.")
    return base, sub


def is_git_uri(uri: str) -> bool:
    base, _ = split_subdirectory(uri)
    scheme = urlsplit(base).scheme
    if scheme == "file":
        return _is_git_dir(Path(urlsplit(base).path))
    if scheme in GIT_SCHEMES:
        return True
    # scp-like SSH ("git@github.com:org/repo.git"), never a local path that exists.
    return "@" in base and ":" in base and not os.path.exists(base)


def fetch_project(uri: str, version: str | None = None) -> FetchedProject:
    base, sub = split_subdirectory(uri)
    if is_git_uri(uri):
        return _clone(base, sub, version)
    local = Path(urlsplit(base).path if base.startswith("file:") else base).expanduser()
    if not local.is_dir():
        raise NotFound(f"Project URI {uri!r} is neither a local folder nor a git URI.")
    if version is not None:
        if not _is_git_dir(local):
            raise InvalidParameter(
                f"A version ({version!r}) is only supported for git projects; {base!r} is a "
                "folder outside git."
            )
        return _clone(str(local.resolve()), sub, version)
    return _local(local.resolve(), sub)


def _local(root: Path, sub: str) -> FetchedProject:
    directory = _subdirectory(root, sub)
    # Uncached: the folder's checkout may have moved since an earlier run in this process.
    info = git_info.__wrapped__(str(directory / "MLproject"))
    return FetchedProject(
        directory=directory,
        source_name=str(directory),
        git_commit=info.commit if info else None,
        git_branch=info.branch if info else None,
        git_repo_url=info.repo_url if info else None,
    )


def _clone(url: str, sub: str, version: str | None) -> FetchedProject:
    target = Path(tempfile.mkdtemp(prefix="mltrail-project-"))
    try:
        # A shallow clone is enough for the default branch; a version may be any commit.
        depth = [] if version else ["--depth", "1"]
        _git(["clone", "--quiet", *depth, "--", url, str(target)], None, f"clone {url}")
        if version:
            _git(["checkout", "--quiet", version], target, f"check out version {version!r}")
        commit = _git(["rev-parse", "HEAD"], target, "read the commit")
        branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], target, "read the branch")
        directory = _subdirectory(target, sub)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return FetchedProject(
        directory=directory,
        source_name=without_credentials(url) + (f"#{sub}" if sub else ""),
        git_commit=commit,
        git_branch=None if branch == "HEAD" else branch,
        git_repo_url=without_credentials(url),
        clone_dir=target,
    )


def _subdirectory(root: Path, sub: str) -> Path:
    directory = (root / sub).resolve() if sub else root
    if not directory.is_relative_to(root.resolve()) or not directory.is_dir():
        raise NotFound(f"Subdirectory {sub!r} does not exist in the project.")
    return directory


def _is_git_dir(path: Path) -> bool:
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


def _git(args: list[str], cwd: Path | None, what: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise MltrailError("Running a git project needs the `git` executable on PATH.")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # fail instead of asking for a password
    try:
        result = subprocess.run(
            [git, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=CLONE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise MltrailError(f"git could not {what} within {CLONE_TIMEOUT_SECONDS:.0f} s.") from None
    if result.returncode != 0:
        raise InvalidParameter(f"git could not {what}: {result.stderr.strip()}")
    return result.stdout.strip()
