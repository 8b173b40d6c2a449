"""The context a new run records automatically: who ran what script from which git commit
(MLflow's ``mlflow.user`` / ``mlflow.source.*`` tags), plus mltrail's optional run snapshot
(the uncommitted git diff and the installed packages) logged as artifacts.
"""

from __future__ import annotations

import functools
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping
from importlib.metadata import distributions, entry_points
from typing import Any

from mltrail.data.sources import set_context_tags_provider
from mltrail.entities import SourceType
from mltrail.errors import ErrorCode, MltrailError
from mltrail.settings import Settings
from mltrail.tracking.git import git_info, uncommitted_diff

USER_TAG = "mlflow.user"
SOURCE_NAME_TAG = "mlflow.source.name"
SOURCE_TYPE_TAG = "mlflow.source.type"
GIT_COMMIT_TAG = "mlflow.source.git.commit"
GIT_BRANCH_TAG = "mlflow.source.git.branch"
GIT_REPO_URL_TAG = "mlflow.source.git.repoURL"

RUN_CONTEXT_PROVIDER_GROUP = "mltrail.run_context_provider"
# Set by launchers that start a script on a run's behalf (e.g. a project run: PROJECT).

GIT_DIFF_ARTIFACT = "git/diff.patch"
PACKAGES_ARTIFACT = "environment/installed-packages.txt"

_NOTEBOOK_LAUNCHERS = ("ipykernel_launcher.py", "colab_kernel_launcher.py")
_logger = logging.getLogger(__name__)


def default_run_tags(user_tags: Mapping[str, str] | None = None) -> dict[str, str]:
    """Tags for a new run, lowest precedence first: user and source, git, the
    MLFLOW_RUN_CONTEXT JSON, plugin providers, and finally `user_tags`."""
    settings = Settings.from_env()
    tags = {
        USER_TAG: settings.tracking_username or _os_user(),
        SOURCE_NAME_TAG: settings.source_name or _source_name(),
        SOURCE_TYPE_TAG: _source_type(settings.source_type),
    }
    tags.update(_git_tags(_source_file()))
    tags.update(_run_context_env_tags(settings.run_context))
    tags.update(_plugin_tags())
    tags.update(user_tags or {})
    return tags


def log_run_snapshot(log_text: Callable[[str, str], None]) -> None:
    """Log what the run's code ran against, per the settings: `git diff HEAD` when the
    work tree is dirty, and the installed distributions, through `log_text(text, path)`."""
    settings = Settings.from_env()
    if settings.log_git_diff:
        source = _source_file()
        info = git_info(source) if source else None
        diff = uncommitted_diff(info.root) if info else None
        if diff:
            log_text(diff, GIT_DIFF_ARTIFACT)
    if settings.log_installed_packages:
        log_text(installed_packages_text(), PACKAGES_ARTIFACT)


def installed_packages_text() -> str:
    """One "name==version" line per installed distribution, sorted by name."""
    pins: dict[str, str] = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name:
            pins.setdefault(name.lower(), f"{name}=={dist.version}")
    return "".join(f"{pins[key]}\n" for key in sorted(pins))


def clear_context_cache() -> None:
    """Forget cached git facts and loaded providers (after installing a plugin in-process)."""
    git_info.cache_clear()
    _context_providers.cache_clear()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return "unknown"


def _argv0() -> str:
    return sys.argv[0] if sys.argv else ""


def _is_notebook() -> bool:
    return os.path.basename(_argv0()) in _NOTEBOOK_LAUNCHERS


def _notebook_path() -> str | None:
    # VS Code exposes the notebook file to the kernel; Jupyter Server sets JPY_SESSION_NAME.
    main = sys.modules.get("__main__")
    return getattr(main, "__vsc_ipynb_file__", None) or os.environ.get("JPY_SESSION_NAME")


def _source_name() -> str:
    if _is_notebook():
        return _notebook_path() or _argv0()
    # As given on the command line ("train.py", "-c"); "<console>" for a REPL or stdin.
    return _argv0() or "<console>"


def _source_type(declared: str | None) -> str:
    if declared:
        try:
            return SourceType(declared.upper()).value
        except ValueError:
            raise MltrailError(
                f"MLTRAIL_SOURCE_TYPE={declared!r} is not a source type; "
                f"use one of {', '.join(SourceType)}.",
                ErrorCode.INVALID_PARAMETER_VALUE,
            ) from None
    return SourceType.NOTEBOOK.value if _is_notebook() else SourceType.LOCAL.value


def _source_file() -> str | None:
    """The file whose checkout the run describes: the notebook, or the entry script."""
    candidate = _notebook_path() if _is_notebook() else _argv0()
    return os.path.abspath(candidate) if candidate and os.path.isfile(candidate) else None


def _git_tags(source_file: str | None) -> dict[str, str]:
    info = git_info(source_file) if source_file else None
    if info is None:
        return {}
    tags = {GIT_COMMIT_TAG: info.commit}
    if info.branch:
        tags[GIT_BRANCH_TAG] = info.branch
    if info.repo_url:
        tags[GIT_REPO_URL_TAG] = info.repo_url
    return tags


def _run_context_env_tags(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise MltrailError(
            f"MLFLOW_RUN_CONTEXT (or MLTRAIL_RUN_CONTEXT) must be a JSON object of tags, "
            f"got {raw!r}.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    return {str(key): str(value) for key, value in parsed.items()}


@functools.cache
def _context_providers() -> tuple[Any, ...]:
    providers = []
    for entry_point in entry_points(group=RUN_CONTEXT_PROVIDER_GROUP):
        try:
            loaded = entry_point.load()
            providers.append(loaded() if isinstance(loaded, type) else loaded)
        except Exception:
            # A broken plugin must not stop runs from starting.
            _logger.warning("Skipping run context provider %r", entry_point.value, exc_info=True)
    return tuple(providers)


def _plugin_tags() -> dict[str, str]:
    tags: dict[str, str] = {}
    for provider in _context_providers():
        try:
            if provider.in_context():
                tags.update({str(k): str(v) for k, v in provider.tags().items()})
        except Exception:
            _logger.warning("Run context provider %r failed", provider, exc_info=True)
    return tags


# Datasets built in code record the same context (their "code" source); the data layer
# sits below tracking, so it gets the tags through this hook.
set_context_tags_provider(default_run_tags)
