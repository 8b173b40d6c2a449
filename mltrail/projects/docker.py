"""docker_env projects: the `docker build` and `docker run` commands, and the engine check.

The project is mounted (or, with --build-image, copied into a new image) at
/mlflow/projects/code; the tracking variables go in with -e, and a local SQLite tracking
store's folder is mounted at the same path so the URI still points at it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mltrail.envs.docker import engine_problem
from mltrail.errors import InvalidParameter, MltrailError
from mltrail.projects.spec import DockerEnv

CODE_DIR = "/mlflow/projects/code"


@dataclass(frozen=True)
class DockerPlan:
    image: str  # what `docker run` starts
    build: list[str] | None  # `docker build ...` when --build-image, else None
    dockerfile: str | None
    run: list[str]


def plan(
    docker_env: DockerEnv,
    project_dir: Path,
    command: str,
    tracking_env: Mapping[str, str],
    *,
    project_name: str | None = None,
    git_commit: str | None = None,
    build_image: bool = False,
    docker_args: Mapping[str, str | bool] | None = None,
    host_env: Mapping[str, str] | None = None,
) -> DockerPlan:
    """The commands that run `command` in the project's image (nothing is executed)."""
    image, build, dockerfile = docker_env.image, None, None
    if build_image:
        repository = re.sub(r"[^a-z0-9._-]+", "-", (project_name or "mltrail-project").lower())
        image = f"{repository}:{git_commit[:7] if git_commit else 'latest'}"
        dockerfile = f"FROM {docker_env.image}\nCOPY . {CODE_DIR}/\nWORKDIR {CODE_DIR}/\n"
        build = ["docker", "build", "--tag", image, "--file", "-", str(project_dir)]
    argv = ["docker", "run", "--rm", "--workdir", CODE_DIR]
    if not build_image:
        argv += ["--volume", f"{project_dir}:{CODE_DIR}"]
    for name, value in tracking_env.items():
        argv += ["--env", f"{name}={value}"]
    store_dir = _local_store_dir(tracking_env)
    if store_dir is not None:
        argv += ["--volume", f"{store_dir}:{store_dir}"]
    for volume in docker_env.volumes:
        argv += ["--volume", volume]
    argv += _environment(docker_env, os.environ if host_env is None else host_env)
    argv += docker_arg_options(docker_args or {})
    return DockerPlan(image, build, dockerfile, [*argv, image, "sh", "-c", command])


def docker_arg_options(docker_args: Mapping[str, str | bool]) -> list[str]:
    """`-A gpus=all -A privileged` -> ``--gpus all --privileged`` (one letter: ``-x``)."""
    options: list[str] = []
    for name, value in docker_args.items():
        flag = f"-{name}" if len(name) == 1 else f"--{name}"
        options += [flag] if value is True or value == "" else [flag, str(value)]
    return options


def check_engine() -> None:
    """Fail clearly, before a run is created, when no Docker engine answers."""
    problem = engine_problem()
    if problem is None:
        return
    if shutil.which("docker") is None:
        raise MltrailError("This project declares docker_env, but `docker` is not on PATH.")
    raise MltrailError(
        f"This project declares docker_env, but no Docker engine is reachable ({problem}). "
        "Start Docker, or run in the current environment with --env-manager local."
    )


def execute_build(docker_plan: DockerPlan) -> None:
    """Run `docker build` with the generated Dockerfile on stdin (when the plan has one)."""
    if docker_plan.build is None:
        return
    result = subprocess.run(
        docker_plan.build,
        input=docker_plan.dockerfile,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise MltrailError(f"docker build failed:\n{result.stderr[-3000:]}")


def _local_store_dir(tracking_env: Mapping[str, str]) -> str | None:
    uri = tracking_env.get("MLFLOW_TRACKING_URI", "")
    if uri.startswith("sqlite:///"):
        return str(Path(uri.removeprefix("sqlite:///")).parent) if uri[10:11] == "/" else None
    parts = urlsplit(uri)
    if parts.scheme == "file" or (uri and not parts.scheme):
        return parts.path or uri
    return None


def _environment(docker_env: DockerEnv, host_env: Mapping[str, str]) -> Sequence[str]:
    options: list[str] = []
    for name, fixed in docker_env.environment:
        if fixed is None and name not in host_env:
            raise InvalidParameter(
                f"docker_env copies the variable {name!r} from this environment, but it is not set."
            )
        options += ["--env", f"{name}={host_env[name] if fixed is None else fixed}"]
    return options
