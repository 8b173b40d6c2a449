"""Fluent artifact functions for the active run: files, text, dicts, figures, images, tables."""

from __future__ import annotations

import io
import logging
import posixpath
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mltrail.tracking import context
from mltrail.tracking.fluent_experiments import resolve_experiment_id
from mltrail.tracking.fluent_runs import start_run, target

if TYPE_CHECKING:
    import pandas as pd

_log = logging.getLogger(__name__)


def log_artifact(
    local_path: str, artifact_path: str | None = None, run_id: str | None = None
) -> None:
    client, run = target(run_id)
    client.log_artifact(run, local_path, artifact_path)


def log_artifacts(
    local_dir: str, artifact_path: str | None = None, run_id: str | None = None
) -> None:
    client, run = target(run_id)
    client.log_artifacts(run, local_dir, artifact_path)


def log_text(text: str, artifact_file: str, run_id: str | None = None) -> None:
    client, run = target(run_id)
    client.log_text(run, text, artifact_file)


def log_dict(dictionary: Mapping[str, Any], artifact_file: str, run_id: str | None = None) -> None:
    client, run = target(run_id)
    client.log_dict(run, dictionary, artifact_file)


def log_figure(
    figure: Any, artifact_file: str, *, save_kwargs: Mapping[str, Any] | None = None
) -> None:
    client, run = target(None)
    client.log_figure(run, figure, artifact_file, save_kwargs=save_kwargs)


def log_image(
    image: Any,
    artifact_file: str | None = None,
    key: str | None = None,
    step: int | None = None,
    timestamp: int | None = None,
    synchronous: bool | None = False,
) -> None:
    client, run = target(None)
    client.log_image(run, image, artifact_file, key, step, timestamp, synchronous)


def log_table(data: Any, artifact_file: str, run_id: str | None = None) -> None:
    client, run = target(run_id)
    client.log_table(run, data, artifact_file)


def load_table(
    artifact_file: str,
    run_ids: Sequence[str] | None = None,
    extra_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The table `artifact_file` from runs of the active experiment, rows concatenated."""
    client = context.current_client()
    return client.load_table(resolve_experiment_id(client), artifact_file, run_ids, extra_columns)


def log_stream(
    stream: io.BufferedIOBase | io.RawIOBase, artifact_file: str, run_id: str | None = None
) -> None:
    client, run = target(run_id)
    client.log_stream(run, stream, artifact_file)


def get_artifact_uri(artifact_path: str | None = None) -> str:
    """The URI of the active run's artifact root, or of `artifact_path` under it."""
    active = context.active_run()
    if active is None:
        _log.warning(
            "No active run found. A new active run will be created. If this is not intended, "
            "please create a run using `mltrail.start_run()` first."
        )
        active = start_run()
    root = active.info.artifact_uri
    return posixpath.join(root, artifact_path.lstrip("/")) if artifact_path else root
