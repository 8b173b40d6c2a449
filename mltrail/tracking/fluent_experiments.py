"""Fluent experiment functions and the rule that picks the experiment new runs go to.

That experiment is the one `set_experiment` chose, else MLFLOW_EXPERIMENT_NAME (created when
missing), else MLFLOW_EXPERIMENT_ID, else the default experiment "0".
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from mltrail.entities import Experiment, LifecycleStage, ViewType
from mltrail.errors import ErrorCode, InvalidParameter, MltrailError
from mltrail.settings import Settings
from mltrail.store.tracking.base import SEARCH_MAX_RESULTS_THRESHOLD
from mltrail.tracking import context
from mltrail.tracking.client import MltrailClient

DEFAULT_EXPERIMENT_ID = "0"
_log = logging.getLogger(__name__)


def set_experiment(
    experiment_name: str | None = None, experiment_id: str | None = None
) -> Experiment:
    """Make an experiment active for new runs, creating it by name if it does not exist."""
    if (experiment_name is None) == (experiment_id is None):
        raise InvalidParameter("Must specify exactly one of: `experiment_id` or `experiment_name`.")
    client = context.current_client()
    if experiment_id is not None:
        experiment = client.get_experiment(str(experiment_id))
    else:
        experiment = _get_or_create(client, str(experiment_name))
    if experiment.lifecycle_stage == LifecycleStage.DELETED:
        raise InvalidParameter(
            f"Cannot set a deleted experiment '{experiment.name}' as the active experiment. "
            "You can restore the experiment, or permanently delete the experiment to create "
            "a new one."
        )
    context.set_active_experiment_id(experiment.experiment_id)
    # Exported like MLflow does, so child processes log to the same experiment.
    for name in Settings.env_names("experiment_id"):
        os.environ[name] = experiment.experiment_id
    return experiment


def _get_or_create(client: MltrailClient, name: str) -> Experiment:
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment
    _log.info("Experiment with name '%s' does not exist. Creating a new experiment.", name)
    try:
        return client.get_experiment(client.create_experiment(name))
    except MltrailError as error:
        # Another process created it between our lookup and our insert.
        raced = client.get_experiment_by_name(name)
        if error.code is not ErrorCode.RESOURCE_ALREADY_EXISTS or raced is None:
            raise
        return raced


def resolve_experiment_id(client: MltrailClient) -> str:
    """The experiment new runs go to (see the module docstring)."""
    active = context.active_experiment_id()
    if active is not None:
        return active
    settings = Settings.from_env()
    if settings.experiment_name:
        return _get_or_create(client, settings.experiment_name).experiment_id
    if settings.experiment_id:
        return client.get_experiment(settings.experiment_id).experiment_id
    return DEFAULT_EXPERIMENT_ID


def create_experiment(
    name: str, artifact_location: str | None = None, tags: Mapping[str, Any] | None = None
) -> str:
    return context.current_client().create_experiment(name, artifact_location, tags)


def get_experiment(experiment_id: str) -> Experiment:
    return context.current_client().get_experiment(experiment_id)


def get_experiment_by_name(name: str) -> Experiment | None:
    return context.current_client().get_experiment_by_name(name)


def search_experiments(
    view_type: int = ViewType.ACTIVE_ONLY,
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: list[str] | None = None,
) -> list[Experiment]:
    """Every matching experiment (or the first `max_results`), across pages."""
    client = context.current_client()
    found: list[Experiment] = []
    token: str | None = None
    while max_results is None or len(found) < max_results:
        want = SEARCH_MAX_RESULTS_THRESHOLD if max_results is None else max_results - len(found)
        page = client.search_experiments(
            view_type, min(want, SEARCH_MAX_RESULTS_THRESHOLD), filter_string, order_by, token
        )
        found.extend(page)
        token = page.token
        if not token:
            break
    return found


def delete_experiment(experiment_id: str) -> None:
    context.current_client().delete_experiment(experiment_id)


def restore_experiment(experiment_id: str) -> None:
    context.current_client().restore_experiment(experiment_id)


def set_experiment_tag(key: str, value: Any) -> None:
    """Tag the active experiment (see `resolve_experiment_id`)."""
    client = context.current_client()
    client.set_experiment_tag(resolve_experiment_id(client), key, value)


def set_experiment_tags(tags: Mapping[str, Any]) -> None:
    client = context.current_client()
    experiment_id = resolve_experiment_id(client)
    for key, value in tags.items():
        client.set_experiment_tag(experiment_id, key, value)


def delete_experiment_tag(key: str) -> None:
    client = context.current_client()
    client.delete_experiment_tag(resolve_experiment_id(client), key)
