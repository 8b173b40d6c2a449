"""Logging a model, MLflow 3 style: a LoggedModel with its own id holds the saved directory.

The model is saved to a temp dir by the flavor's `save_model`, uploaded to the LoggedModel's
artifact location and finalized READY (UPLOAD_FAILED if anything fails on the way). The
active run, when there is one, becomes the model's source run and records it as an output.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from typing import Any

from mltrail.entities.dataset import LoggedModelOutput
from mltrail.errors import ErrorCode, MltrailError
from mltrail.models.model import Model, ModelInfo

_log = logging.getLogger(__name__)
DEFAULT_NAME = "model"


def log_model(
    save_model: Callable[..., Any],
    *,
    name: str | None = None,
    artifact_path: str | None = None,
    registered_model_name: str | None = None,
    await_registration_for: int = 300,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    **save_kwargs: Any,
) -> ModelInfo:
    """Save with `save_model(path=..., mlflow_model=..., **save_kwargs)`, then log the result."""
    from mltrail.store.uri import artifact_repository_for
    from mltrail.tracking import context
    from mltrail.tracking.fluent_experiments import resolve_experiment_id

    if name and artifact_path and name != artifact_path:
        raise MltrailError(
            "Specify only one of `name` and `artifact_path` (deprecated)",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    model_name = name or artifact_path or DEFAULT_NAME
    client = context.current_client()
    run = context.active_run()
    run_id = run.info.run_id if run is not None else None
    if model_id is not None:
        logged = client.get_logged_model(model_id)
    else:
        experiment_id = run.info.experiment_id if run is not None else resolve_experiment_id(client)
        logged = client.create_logged_model(
            experiment_id, model_name, run_id, tags, params, model_type
        )
    mlmodel = Model(
        artifact_path=logged.artifact_location,
        run_id=run_id,
        model_id=logged.model_id,
        model_uuid=logged.model_id,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="mltrail-model-") as scratch:
            local = os.path.join(scratch, "model")
            save_model(path=local, mlflow_model=mlmodel, **save_kwargs)
            artifact_repository_for(logged.artifact_location).log_artifacts(local, None)
            saved = Model.load(local)
    except BaseException:
        client.finalize_logged_model(logged.model_id, "UPLOAD_FAILED")
        raise
    client.finalize_logged_model(logged.model_id, "READY")
    if run_id is not None:
        client.log_outputs(run_id, [LoggedModelOutput(logged.model_id, step)])
    model_uri = f"models:/{logged.model_id}"
    version = None
    if registered_model_name:
        version = register(client, model_uri, registered_model_name, run_id, logged.model_id)
    return ModelInfo.from_model(
        saved,
        model_uri,
        name=model_name,
        params=dict(logged.params),
        tags=dict(logged.tags),
        creation_timestamp=logged.creation_timestamp,
        registered_model_version=version,
    )


def register(
    client: Any, model_uri: str, name: str, run_id: str | None, model_id: str | None
) -> int:
    """Register the logged model as a new version of `name` (creating the model if needed)."""
    create_version = getattr(client, "create_model_version", None)
    if create_version is None:
        raise MltrailError(
            "`registered_model_name` needs the model registry, which this mltrail "
            "installation does not have",
            ErrorCode.FEATURE_DISABLED,
        )
    try:
        client.create_registered_model(name)
    except MltrailError as error:
        if error.error_code != ErrorCode.RESOURCE_ALREADY_EXISTS.name:
            raise
    version = create_version(name, model_uri, run_id=run_id, model_id=model_id)
    _log.info("Created version '%s' of model '%s'.", version.version, name)
    return int(version.version)
