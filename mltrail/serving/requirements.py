"""`mltrail models update-pip-requirements`: add or remove pip requirements of a saved model.

requirements.txt, the pip section of conda.yaml and (when it lists requirements itself rather
than ``-r requirements.txt``) python_env.yaml are rewritten alike. Adding a requirement whose
project is already listed replaces it in place; others are appended. Removing goes by project
name, ignoring version specifiers; names not listed are ignored. Registry URIs (models:/name/..)
are refused, as registered versions are read-only.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml

from mltrail.envs.model import (
    CONDA_ENV_FILE,
    PYTHON_ENV_FILE,
    REQUIREMENTS_FILE,
    requirement_name,
)
from mltrail.errors import InvalidParameter

Edit = Callable[[list[str]], list[str]]


class ModelFiles(Protocol):
    def read(self, name: str) -> str | None: ...
    def write(self, name: str, text: str) -> None: ...


def update_requirements(model_uri: str, operation: str, requirements: Sequence[str]) -> list[str]:
    """Apply `operation` ("add" or "remove") to the model's files; return the files changed."""
    if operation == "add":
        edit = adding(_validated(requirements))
    elif operation == "remove":
        edit = removing(requirement_name(r) for r in _validated(requirements))
    else:
        raise InvalidParameter(f"Unknown operation {operation!r}; use add or remove.")
    files = model_files(model_uri)
    changed = []
    for name, rewrite in (
        (REQUIREMENTS_FILE, _requirements_txt),
        (CONDA_ENV_FILE, _conda_yaml),
        (PYTHON_ENV_FILE, _python_env_yaml),
    ):
        before = files.read(name)
        after = rewrite(before, edit) if before is not None else None
        if after is not None and after != before:
            files.write(name, after)
            changed.append(name)
    return changed


def adding(new: Sequence[str]) -> Edit:
    def edit(current: list[str]) -> list[str]:
        by_name = {requirement_name(r): r for r in new}
        result = [by_name.pop(requirement_name(r), r) for r in current]
        return result + [r for r in new if requirement_name(r) in by_name]

    return edit


def removing(names: Iterable[str]) -> Edit:
    dropped = set(names)
    return lambda current: [r for r in current if requirement_name(r) not in dropped]


def _validated(requirements: Sequence[str]) -> list[str]:
    from packaging.requirements import InvalidRequirement, Requirement

    for requirement in requirements:
        try:
            Requirement(requirement)
        except InvalidRequirement as problem:
            raise InvalidParameter(
                f"{requirement!r} is not a valid pip requirement: {problem}"
            ) from None
    return [r.strip() for r in requirements]


def _requirements_txt(text: str, edit: Edit) -> str:
    lines = [line.strip() for line in text.splitlines()]
    options = [line for line in lines if line.startswith("-") or line.startswith("#")]
    kept = [line for line in lines if line and line not in options]
    return "\n".join([*options, *edit(kept)])


def _conda_yaml(text: str, edit: Edit) -> str | None:
    content = yaml.safe_load(text)
    dependencies = content.get("dependencies") if isinstance(content, dict) else None
    for dependency in dependencies or ():
        if isinstance(dependency, dict) and isinstance(dependency.get("pip"), list):
            dependency["pip"] = edit([str(r) for r in dependency["pip"]])
            return _dump(content)
    return None


def _python_env_yaml(text: str, edit: Edit) -> str | None:
    content = yaml.safe_load(text)
    listed = content.get("dependencies") if isinstance(content, dict) else None
    if not isinstance(listed, list):
        return None
    files = [r for r in listed if str(r).startswith("-")]
    if files == listed:  # "-r requirements.txt": the file itself was edited
        return None
    content["dependencies"] = files + edit([str(r) for r in listed if r not in files])
    return _dump(content)


def _dump(content: Any) -> str:
    return yaml.safe_dump(content, default_flow_style=False, sort_keys=False)


# -- where the model's files are -------------------------------------------------------------
class _LocalFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, name: str) -> str | None:
        path = self.folder / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def write(self, name: str, text: str) -> None:
        (self.folder / name).write_text(text, encoding="utf-8")


class _RepositoryFiles:
    """Files of a model stored in an artifact repository (a run's or a remote URI's)."""

    def __init__(self, repo: Any, folder: str) -> None:
        self.repo, self.folder = repo, folder

    def _path(self, name: str) -> str:
        return posixpath.join(self.folder, name) if self.folder else name

    def read(self, name: str) -> str | None:
        try:
            return b"".join(self.repo.read_stream(self._path(name))).decode("utf-8")
        except Exception:  # each backend has its own "not found" error
            return None

    def write(self, name: str, text: str) -> None:
        self.repo.write_stream(self._path(name), (text.encode("utf-8"),))


def model_files(model_uri: str) -> ModelFiles:
    from mltrail.models.uris import local_path, model_repository
    from mltrail.store.uri import artifact_repository_for

    local = local_path(model_uri)
    if local is not None:
        if not (local / "MLmodel").is_file():
            raise InvalidParameter(f"No model (MLmodel file) found at {model_uri!r}.")
        return _LocalFiles(local)
    if model_uri.startswith("models:/"):
        raise InvalidParameter(
            "Updating the requirements of a model registry URI (models:/) is not supported: "
            "registered model versions are read-only. Use the runs:/ URI of its source."
        )
    if model_uri.startswith("runs:/"):
        return _RepositoryFiles(*model_repository(model_uri))
    return _RepositoryFiles(artifact_repository_for(model_uri), "")
