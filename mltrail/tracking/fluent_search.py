"""Fluent `search_runs`: every matching run across pages, as a list or a pandas DataFrame.

The DataFrame has MLflow's shape: run_id, experiment_id, status, artifact_uri, start_time and
end_time (UTC datetimes), then `metrics.*`, `params.*` and `tags.*` columns, NaN where a run
lacks the key.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mltrail.entities import Run, ViewType
from mltrail.errors import InvalidParameter
from mltrail.store.tracking.base import SEARCH_MAX_RESULTS_THRESHOLD
from mltrail.tracking import context
from mltrail.tracking.client import MltrailClient
from mltrail.tracking.fluent_experiments import resolve_experiment_id, search_experiments

if TYPE_CHECKING:
    import pandas as pd

_log = logging.getLogger(__name__)
INFO_COLUMNS = ("run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time")
OUTPUT_FORMATS = ("pandas", "list")


def search_runs(
    experiment_ids: str | Sequence[str] | None = None,
    filter_string: str = "",
    run_view_type: int = ViewType.ACTIVE_ONLY,
    max_results: int = 100000,
    order_by: list[str] | None = None,
    output_format: str = "pandas",
    search_all_experiments: bool = False,
    experiment_names: Sequence[str] | None = None,
) -> Any:
    """Runs of the given experiments (default: the active one) matching `filter_string`."""
    if output_format not in OUTPUT_FORMATS:
        raise InvalidParameter(
            f"Unsupported output format: {output_format}. "
            "Supported string values are 'pandas' or 'list'"
        )
    client = context.current_client()
    ids = _experiment_ids(
        client, experiment_ids, experiment_names, search_all_experiments, run_view_type
    )
    runs = _all_pages(client, ids, filter_string, run_view_type, max_results, order_by)
    return runs if output_format == "list" else runs_frame(runs)


def _experiment_ids(
    client: MltrailClient,
    experiment_ids: str | Sequence[str] | None,
    experiment_names: Sequence[str] | None,
    search_all: bool,
    view_type: int,
) -> list[str]:
    if experiment_ids:
        if isinstance(experiment_ids, str):
            return [experiment_ids]
        return [str(i) for i in experiment_ids]
    if experiment_names:
        ids = []
        for name in experiment_names:
            experiment = client.get_experiment_by_name(name)
            if experiment is None:
                _log.warning("Cannot retrieve experiment by name %s", name)
            else:
                ids.append(experiment.experiment_id)
        return ids
    if search_all:
        return [e.experiment_id for e in search_experiments(view_type=view_type)]
    return [resolve_experiment_id(client)]


def _all_pages(
    client: MltrailClient,
    experiment_ids: list[str],
    filter_string: str,
    view_type: int,
    max_results: int,
    order_by: list[str] | None,
) -> list[Run]:
    runs: list[Run] = []
    if not experiment_ids:
        return runs
    token: str | None = None
    while len(runs) < max_results:
        want = min(max_results - len(runs), SEARCH_MAX_RESULTS_THRESHOLD)
        page = client.search_runs(experiment_ids, filter_string, view_type, want, order_by, token)
        runs.extend(page)
        token = page.token
        if not token:
            break
    return runs


def runs_frame(runs: Sequence[Run]) -> pd.DataFrame:
    import pandas as pd

    columns: dict[str, list[Any]] = {name: [] for name in INFO_COLUMNS}
    if not runs:
        return pd.DataFrame(columns)
    for run in runs:
        info = run.info
        columns["run_id"].append(info.run_id)
        columns["experiment_id"].append(info.experiment_id)
        columns["status"].append(str(info.status))
        columns["artifact_uri"].append(info.artifact_uri)
        columns["start_time"].append(info.start_time)
        columns["end_time"].append(info.end_time)
    count = len(runs)
    for prefix, per_run in (
        ("metrics", [r.data.metrics for r in runs]),
        ("params", [r.data.params for r in runs]),
        ("tags", [r.data.tags for r in runs]),
    ):
        columns.update(_keyed_columns(prefix, per_run, count))
    frame = pd.DataFrame(columns)
    for name in ("start_time", "end_time"):
        times = frame[name]
        # MLflow's dtypes: UTC datetimes, but a column with no time at all (every run still
        # running) is a naive all-NaT column.
        known = times.notna().any()
        frame[name] = pd.to_datetime(times, unit="ms", utc=True) if known else pd.to_datetime(times)
    return frame


def _keyed_columns(
    prefix: str, per_run: Sequence[dict[str, Any]], count: int
) -> dict[str, list[Any]]:
    """`prefix.key` columns in first-seen order; NaN where a run lacks the key."""
    nan = float("nan")
    columns: dict[str, list[Any]] = {}
    for index, values in enumerate(per_run):
        for key, value in values.items():
            column = columns.get(f"{prefix}.{key}")
            if column is None:
                column = columns[f"{prefix}.{key}"] = [nan] * count
            column[index] = value
    return columns
