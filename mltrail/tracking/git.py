"""Facts about the git work tree a script lives in, read through the `git` executable.

No GitPython: two short subprocess calls with a timeout, so a slow or missing git never
blocks a run; any failure just means "no git context".
"""

from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

GIT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class GitInfo:
    root: str
    commit: str
    branch: str | None  # None on a detached HEAD
    repo_url: str | None  # None without a remote


@functools.cache
def git_info(source_file: str) -> GitInfo | None:
    """The work tree holding `source_file`, or None outside one, before the first commit,
    or when git ignores the file (a script inside a virtualenv is not the project's code).

    Cached per file: a process runs one script, whose checkout does not move under it.
    """
    directory = os.path.dirname(source_file)
    out = _git(["rev-parse", "--show-toplevel", "HEAD", "--abbrev-ref", "HEAD"], directory)
    lines = out.splitlines() if out else []
    if len(lines) != 3 or _git(["check-ignore", "-q", source_file], directory) is not None:
        return None
    root, commit, branch = lines
    return GitInfo(
        root=root,
        commit=commit,
        branch=None if branch == "HEAD" else branch,
        repo_url=_first_remote_url(directory),
    )


def uncommitted_diff(directory: str) -> str | None:
    """`git diff HEAD` (staged and unstaged changes to tracked files); None when clean."""
    diff = _git(["diff", "HEAD", "--no-color", "--no-ext-diff"], directory, strip=False)
    return diff or None


def _first_remote_url(directory: str) -> str | None:
    # The first remote in config order, as MLflow reports it (not necessarily "origin").
    out = _git(["config", "--get-regexp", r"^remote\..*\.url$"], directory)
    for line in (out or "").splitlines():
        _, _, url = line.partition(" ")
        if url:
            return without_credentials(url)
    return None


def without_credentials(url: str) -> str:
    """Drop a user name and password embedded in a URL so tokens never reach run tags."""
    parts = urlsplit(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url  # scp-like "git@host:path" names an SSH user, not a secret
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _git(args: list[str], directory: str, *, strip: bool = True) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() if strip else result.stdout
