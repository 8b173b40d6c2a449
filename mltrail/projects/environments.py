"""Choosing a project's environment manager and preparing the environment a command runs in."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mltrail.envs import conda, venvs
from mltrail.envs.python_env import PythonEnvSpec, load_python_env
from mltrail.errors import InvalidParameter
from mltrail.projects import docker
from mltrail.projects.spec import Project

ENV_MANAGERS = ("local", "virtualenv", "uv", "conda")


@dataclass(frozen=True)
class Prepared:
    """A ready environment: the manager's name (the `mlflow.project.env` tag) and how to
    start a shell command in it."""

    name: str
    variables: Mapping[str, str] = field(default_factory=dict)
    conda_prefix: Path | None = None
    reused: bool = False

    def argv(self, command: str) -> list[str]:
        shell = [shutil.which("bash") or "/bin/sh", "-c", command]
        return conda.run_in(self.conda_prefix, shell) if self.conda_prefix else shell


def choose_manager(project: Project, requested: str | None) -> str:
    """The manager to use: the requested one, else what the project declares
    (python_env -> uv when installed, else virtualenv; conda_env -> conda; docker_env -> docker)."""
    kind = project.env_kind
    if requested is not None and requested not in ENV_MANAGERS:
        raise InvalidParameter(
            f"Unknown --env-manager {requested!r}; use one of {', '.join(ENV_MANAGERS)}."
        )
    if kind == "docker":
        if requested not in (None, "local"):
            raise InvalidParameter(
                f"--env-manager {requested} does not apply to a docker_env project "
                "(use local to run it outside docker)."
            )
        return requested or "docker"
    if requested is not None:
        if kind == "conda" and requested in ("uv", "virtualenv"):
            raise InvalidParameter(
                f"This project declares conda_env; --env-manager {requested} needs a "
                "python_env. Use --env-manager conda or local."
            )
        if requested == "conda" and kind != "conda":
            raise InvalidParameter("--env-manager conda needs a project with a conda_env.")
        return requested
    if kind == "python":
        return "uv" if venvs.uv_executable() else "virtualenv"
    return "conda" if kind == "conda" else "local"


def check_available(project: Project, manager: str) -> None:
    """Fail before a run is created when the manager's tools are missing."""
    if manager == "conda":
        conda.conda_executable()
    elif manager == "docker":
        docker.check_engine()


def prepare(project: Project, manager: str) -> Prepared:
    """Build (or reuse) the environment; docker projects are prepared by the runner."""
    if manager in ("uv", "virtualenv"):
        spec = (
            load_python_env(project.python_env)
            if project.python_env is not None
            else PythonEnvSpec.current_python(project.directory)
        )
        env = venvs.get_or_create(spec, manager)
        return Prepared(manager, env.variables(), reused=not env.created)
    if manager == "conda":
        assert project.conda_env is not None
        return Prepared("conda", conda_prefix=conda.get_or_create(project.conda_env))
    if manager == "local":
        # "The current environment": `python` is the interpreter running mltrail, even when
        # its virtualenv was not activated (a venv's bin/mltrail called by its full path).
        return Prepared("local", {"PATH": os.pathsep.join([_interpreter_dir(), _path()])})
    return Prepared(manager)


def _interpreter_dir() -> str:
    return os.path.dirname(sys.executable)


def _path() -> str:
    return os.environ.get("PATH", "")
