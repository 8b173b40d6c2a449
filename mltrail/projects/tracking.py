"""The tracking side of a project run: its experiment, the run with its tags and parameters,
and the variables that let the entry point log into that same run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mltrail.entities import Param, RunStatus, RunTag
from mltrail.errors import InvalidParameter
from mltrail.projects.fetch import FetchedProject
from mltrail.tracking.client import MltrailClient

SOURCE_TYPE_TAG = "mlflow.source.type"
SOURCE_NAME_TAG = "mlflow.source.name"
ENTRY_POINT_TAG = "mlflow.project.entryPoint"
ENV_TAG = "mlflow.project.env"
BACKEND_TAG = "mlflow.project.backend"
GIT_COMMIT_TAG = "mlflow.source.git.commit"
GIT_BRANCH_TAG = "mlflow.source.git.branch"
GIT_REPO_URL_TAG = "mlflow.source.git.repoURL"
LEGACY_GIT_REPO_URL_TAG = "mlflow.gitRepoURL"
DOCKER_IMAGE_TAG = "mlflow.docker.image.name"


@dataclass(frozen=True)
class ProjectRunInfo:
    fetched: FetchedProject
    entry_point: str
    env_manager: str
    backend: str = "local"


def project_tags(info: ProjectRunInfo) -> dict[str, str]:
    fetched = info.fetched
    tags = {
        SOURCE_TYPE_TAG: "PROJECT",
        SOURCE_NAME_TAG: fetched.source_name,
        ENTRY_POINT_TAG: info.entry_point,
        ENV_TAG: info.env_manager,
        BACKEND_TAG: info.backend,
    }
    if fetched.git_commit:
        tags[GIT_COMMIT_TAG] = fetched.git_commit
    if fetched.git_branch:
        tags[GIT_BRANCH_TAG] = fetched.git_branch
    if fetched.git_repo_url:
        tags[GIT_REPO_URL_TAG] = tags[LEGACY_GIT_REPO_URL_TAG] = fetched.git_repo_url
    return tags


def resolve_experiment(
    client: MltrailClient, experiment_name: str | None, experiment_id: str | None
) -> str:
    """--experiment-id (must exist), --experiment-name (created when new), else the default."""
    if experiment_name is not None and experiment_id is not None:
        raise InvalidParameter("Specify only one of experiment_name and experiment_id.")
    if experiment_id is not None:
        return client.get_experiment(str(experiment_id)).experiment_id
    if experiment_name is not None:
        found = client.get_experiment_by_name(experiment_name)
        return found.experiment_id if found else client.create_experiment(experiment_name)
    from mltrail.tracking.fluent_experiments import resolve_experiment_id

    return resolve_experiment_id(client)


def start_run(
    client: MltrailClient,
    experiment_id: str,
    tags: Mapping[str, str],
    params: Mapping[str, str],
    run_id: str | None = None,
    run_name: str | None = None,
) -> str:
    """Create the run (or take over `run_id`), then record its tags and parameters."""
    from mltrail.tracking.source import default_run_tags

    if run_id is not None:
        existing = client.get_run(run_id)
        if existing.info.status in (RunStatus.FINISHED.name, RunStatus.FAILED.name):
            raise InvalidParameter(f"Run {run_id} has already ended ({existing.info.status}).")
        client.update_run(run_id, RunStatus.RUNNING, name=run_name)
        extra = dict(tags)
    else:
        # The launcher's own git context is not the project's: drop it, keep user and plugins.
        base = {k: v for k, v in default_run_tags().items() if not k.startswith("mlflow.source.")}
        run = client.create_run(experiment_id, tags={**base, **tags}, run_name=run_name)
        run_id, extra = run.info.run_id, {}
    try:
        client.log_batch(
            run_id,
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in extra.items()],
            synchronous=True,
        )
    except BaseException:
        # e.g. --run-id naming a run that already has other values for these parameters
        client.set_terminated(run_id, RunStatus.FAILED.name)
        raise
    return run_id


def child_variables(tracking_uri: str, run_id: str, experiment_id: str) -> dict[str, str]:
    """What the entry point's process gets so its fluent calls log into this run (both the
    MLFLOW_* names and their MLTRAIL_* twins, which would otherwise take precedence)."""
    values = {"RUN_ID": run_id, "TRACKING_URI": tracking_uri, "EXPERIMENT_ID": experiment_id}
    variables = {f"MLFLOW_{k}": v for k, v in values.items()}
    variables.update({f"MLTRAIL_{k}": v for k, v in values.items()})
    return variables


def absolute_tracking_uri(uri: str) -> str:
    """The URI as seen from the project's folder: relative store paths made absolute."""
    from mltrail.store.uri import resolve_tracking_uri

    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
        path = uri.removeprefix("sqlite:///")
        return uri if path in ("", ":memory:") else f"sqlite:///{Path(path).resolve()}"
    return resolve_tracking_uri(uri)
