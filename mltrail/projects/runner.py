"""`run()`: fetch a project, check everything, create the run, and start the entry point.

Order matters: the spec, the parameters and the environment tools are all checked before the
run is created, so bad input leaves no run behind; anything failing after that ends the run
FAILED, never RUNNING.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from mltrail.entities import RunStatus
from mltrail.errors import InvalidParameter
from mltrail.exceptions import ExecutionException
from mltrail.projects import docker, environments
from mltrail.projects.fetch import FetchedProject, fetch_project
from mltrail.projects.params import build_command, resolve_parameters
from mltrail.projects.spec import Project, load_project
from mltrail.projects.submitted import SubmittedRun
from mltrail.projects.tracking import (
    DOCKER_IMAGE_TAG,
    ProjectRunInfo,
    absolute_tracking_uri,
    child_variables,
    project_tags,
    resolve_experiment,
    start_run,
)
from mltrail.tracking.client import MltrailClient

_log = logging.getLogger("mltrail.projects")


class ExecutionError(ExecutionException):
    """A project run that failed; catch it as `mltrail.exceptions.ExecutionException`."""


def run(
    uri: str,
    entry_point: str = "main",
    version: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    docker_args: Mapping[str, str | bool] | None = None,
    experiment_name: str | None = None,
    experiment_id: str | None = None,
    backend: str = "local",
    backend_config: Mapping[str, Any] | str | None = None,
    storage_dir: str | None = None,
    synchronous: bool = True,
    run_id: str | None = None,
    run_name: str | None = None,
    env_manager: str | None = None,
    build_image: bool = False,
    docker_auth: Mapping[str, Any] | None = None,
) -> SubmittedRun:
    """Run the project at `uri` (a folder or a git URI) and return its SubmittedRun.

    With `synchronous=True` (the default) this waits and raises ExecutionError when the
    entry point fails; otherwise it returns as soon as the entry point has started.
    """
    if backend != "local":
        raise InvalidParameter(f"Backend {backend!r} is not supported; mltrail runs 'local'.")
    fetched = fetch_project(uri, version)
    try:
        submitted = _run_fetched(
            fetched,
            entry_point,
            dict(parameters or {}),
            docker_args,
            experiment_name,
            experiment_id,
            storage_dir,
            run_id,
            run_name,
            env_manager,
            build_image,
        )
    except BaseException:
        if fetched.clone_dir is not None:
            shutil.rmtree(fetched.clone_dir, ignore_errors=True)
        raise
    if synchronous:
        wait_or_cancel(submitted)
    return submitted


def wait_or_cancel(submitted: SubmittedRun) -> None:
    """Wait for the run; Ctrl-C cancels it (KILLED); a failure raises ExecutionError."""
    try:
        succeeded = submitted.wait()
    except KeyboardInterrupt:
        _log.error("=== Run (ID %r) interrupted, cancelling it ===", submitted.run_id)
        submitted.cancel()
        raise
    if not succeeded:
        raise ExecutionError(f"Run (ID '{submitted.run_id}') failed")
    _log.info("=== Run (ID %r) succeeded ===", submitted.run_id)


def _run_fetched(
    fetched: FetchedProject,
    entry_point_name: str,
    parameters: dict[str, Any],
    docker_args: Mapping[str, str | bool] | None,
    experiment_name: str | None,
    experiment_id: str | None,
    storage_dir: str | None,
    run_id: str | None,
    run_name: str | None,
    env_manager: str | None,
    build_image: bool,
) -> SubmittedRun:
    project = load_project(fetched.directory)
    entry_point = project.entry_point(entry_point_name)
    resolved = resolve_parameters(entry_point, parameters, storage_dir)
    command = build_command(entry_point, resolved)
    manager = environments.choose_manager(project, env_manager)
    environments.check_available(project, manager)
    from mltrail.tracking.uris import get_tracking_uri

    tracking_uri = absolute_tracking_uri(get_tracking_uri())
    client = MltrailClient(tracking_uri)
    exp_id = resolve_experiment(client, experiment_name, experiment_id)
    prepared = environments.prepare(project, manager)
    info = ProjectRunInfo(fetched, entry_point.name, manager)
    run_id = start_run(client, exp_id, project_tags(info), resolved.logged, run_id, run_name)
    try:
        variables = child_variables(tracking_uri, run_id, exp_id)
        argv, image = _argv(
            project, fetched, prepared, command, variables, docker_args, build_image
        )
        if image is not None:
            client.set_tag(run_id, DOCKER_IMAGE_TAG, image)
        _log.info("=== Running command %r in run with ID %r ===", command, run_id)
        process = subprocess.Popen(
            argv,
            cwd=project.directory,
            env={**os.environ, **prepared.variables, **variables},
            start_new_session=True,  # its own process group: cancel() stops all of it
        )
    except BaseException:
        client.set_terminated(run_id, RunStatus.FAILED.name)
        raise
    return SubmittedRun(
        run_id,
        process,
        client.set_terminated,
        fetched.clone_dir,
    )


def _argv(
    project: Project,
    fetched: FetchedProject,
    prepared: environments.Prepared,
    command: str,
    variables: dict[str, str],
    docker_args: Mapping[str, str | bool] | None,
    build_image: bool,
) -> tuple[list[str], str | None]:
    """The process to start, and the docker image it runs in (None outside docker)."""
    if prepared.name != "docker" or project.docker_env is None:
        return prepared.argv(command), None
    plan = docker.plan(
        project.docker_env,
        project.directory,
        command,
        {k: v for k, v in variables.items() if k.startswith("MLFLOW_")},
        project_name=project.name,
        git_commit=fetched.git_commit,
        build_image=build_image,
        docker_args=docker_args,
    )
    docker.execute_build(plan)
    return plan.run, plan.image
