"""`mltrail gc`: permanently delete deleted runs and experiments, and their artifacts.

Everything to purge is checked first (each run deleted, and old enough with --older-than), so
a refused request purges nothing; then each run's artifacts go, then its records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, cast
from urllib.parse import urlparse

import click

from mltrail._paths import normalize_artifact_path
from mltrail.cli._client import all_pages
from mltrail.cli._options import tracking_uri_option
from mltrail.entities import LifecycleStage, ViewType
from mltrail.errors import InvalidParameter, MltrailError

if TYPE_CHECKING:
    from mltrail.entities import Run
    from mltrail.store.tracking.base import MaintenanceStore, TrackingStore

    class PurgeableStore(TrackingStore, MaintenanceStore, Protocol):
        """A tracking store that can also delete permanently (the SQL store)."""


PROXY_SCHEMES = ("mlflow-artifacts", "mltrail-artifacts")
MAINTENANCE_METHODS = ("deleted_run_ids", "purge_run", "deleted_experiment_ids", "purge_experiment")
_DURATION = re.compile(
    r"^(?:(?P<days>\d+(?:\.\d*)?|\.\d+)d)?(?:(?P<hours>\d+(?:\.\d*)?|\.\d+)h)?"
    r"(?:(?P<minutes>\d+(?:\.\d*)?|\.\d+)m)?(?:(?P<seconds>\d+(?:\.\d*)?|\.\d+)s)?$"
)


@click.command()
@click.option(
    "--older-than",
    metavar="DURATION",
    help="Only purge what was deleted at least this long ago: #d#h#m#s, e.g. 30d, 1h30m, "
    "1.5d. Naming a run or experiment that is younger is an error.",
)
@click.option(
    "--backend-store-uri",
    help="The tracking database to purge from (default: the tracking URI, else ./mltrail.db).",
)
@click.option(
    "--artifacts-destination",
    metavar="URI",
    help="Where a tracking server keeps proxied artifacts (its --artifacts-destination): "
    "artifacts of runs with mlflow-artifacts:/ URIs are deleted there directly.",
)
@click.option(
    "--run-ids", help="Comma-separated runs to purge (default: every deleted run, by age)."
)
@click.option(
    "--experiment-ids",
    help="Comma-separated deleted experiments to purge with all their runs "
    "(default: every deleted experiment, by age).",
)
@tracking_uri_option
def gc(
    older_than: str | None,
    backend_store_uri: str | None,
    artifacts_destination: str | None,
    run_ids: str | None,
    experiment_ids: str | None,
    tracking_uri: str | None,
) -> None:
    """Permanently delete runs and experiments in the `deleted` lifecycle stage.

    Removes their metadata (params, metrics, tags, inputs) and their artifacts. Runs and
    experiments must have been deleted first (`mltrail runs delete`, `mltrail experiments
    delete`); naming an active one is an error and nothing is purged.
    """
    older_than_ms = parse_duration(older_than) if older_than else None
    if tracking_uri and urlparse(tracking_uri).scheme in ("http", "https"):
        # Proxied artifact URIs are resolved through this server.
        from mltrail.tracking import set_tracking_uri

        set_tracking_uri(tracking_uri)
    store = _maintenance_store(backend_store_uri or tracking_uri)
    try:
        plan = plan_purge(store, _id_list(run_ids), _id_list(experiment_ids), older_than_ms)
        for run in plan.runs:
            _delete_artifacts(run, artifacts_destination)
            store.purge_run(run.info.run_id)
            click.echo(f"Run with ID {run.info.run_id} has been permanently deleted.")
        for experiment_id in plan.experiment_ids:
            store.purge_experiment(experiment_id)
            click.echo(f"Experiment with ID {experiment_id} has been permanently deleted.")
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


@dataclass(frozen=True)
class PurgePlan:
    runs: list[Run]
    experiment_ids: list[str]


def plan_purge(
    store: PurgeableStore,
    run_ids: list[str] | None,
    experiment_ids: list[str] | None,
    older_than_ms: int | None,
) -> PurgePlan:
    """What to purge, after checking every item may be purged (else InvalidParameter)."""
    old_runs = store.deleted_run_ids(older_than_ms)
    wanted = list(run_ids) if run_ids is not None else list(old_runs)
    experiments = _experiments_to_purge(store, experiment_ids, older_than_ms)
    if experiments:
        found = all_pages(
            lambda token: store.search_runs(
                experiments, run_view_type=ViewType.ALL, page_token=token
            )
        )
        wanted.extend(run.info.run_id for run in found)
    runs = [store.get_run(run_id) for run_id in dict.fromkeys(wanted)]
    _refuse_unpurgeable_runs(runs, set(old_runs), older_than_ms)
    return PurgePlan(runs, experiments)


def _experiments_to_purge(
    store: PurgeableStore, experiment_ids: list[str] | None, older_than_ms: int | None
) -> list[str]:
    old: list[str] = store.deleted_experiment_ids(older_than_ms)
    if experiment_ids is None:
        return old
    experiments = [store.get_experiment(i) for i in experiment_ids]
    active = [e.experiment_id for e in experiments if e.lifecycle_stage != LifecycleStage.DELETED]
    if active:
        raise InvalidParameter(
            f"Experiments {', '.join(active)} are not in the `deleted` lifecycle stage; only "
            "deleted experiments can be purged (delete them with `mltrail experiments delete`)."
        )
    young = [i for i in experiment_ids if i not in set(old)]
    if young:
        raise InvalidParameter(
            f"Experiments {', '.join(young)} were deleted too recently for --older-than; "
            "nothing was purged."
        )
    return experiment_ids


def _refuse_unpurgeable_runs(
    runs: list[Run], old_runs: set[str], older_than_ms: int | None
) -> None:
    active = [r.info.run_id for r in runs if r.info.lifecycle_stage != LifecycleStage.DELETED]
    if active:
        raise InvalidParameter(
            f"Runs {', '.join(active)} are not in the `deleted` lifecycle stage; only deleted "
            "runs can be purged (delete them with `mltrail runs delete`). Nothing was purged."
        )
    if older_than_ms is not None:
        young = [r.info.run_id for r in runs if r.info.run_id not in old_runs]
        if young:
            raise InvalidParameter(
                f"Runs {', '.join(young)} were deleted too recently for --older-than; "
                "nothing was purged."
            )


def parse_duration(text: str) -> int:
    """``1d2h3m4.5s`` (any part optional, decimals allowed) as milliseconds."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None:
        raise InvalidParameter(
            f"Could not read a duration from --older-than {text!r}. Use #d#h#m#s, "
            "e.g. '30d', '8h', '2d8h5m20s', '1.5h'."
        )
    parts = {name: float(value) for name, value in match.groupdict().items() if value}
    return int(timedelta(**parts).total_seconds() * 1000)


def _id_list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",") if part.strip()]
    return ids or None


def _maintenance_store(uri: str | None) -> PurgeableStore:
    from mltrail.store.uri import default_tracking_uri, tracking_store_for

    store_uri = uri or default_tracking_uri()
    store = tracking_store_for(store_uri)
    if not all(callable(getattr(store, m, None)) for m in MAINTENANCE_METHODS):
        raise click.ClickException(
            f"gc purges a tracking database directly, and {store_uri} is not one. "
            "Pass the server's database with --backend-store-uri."
        )
    return cast("PurgeableStore", store)


def _delete_artifacts(run: Run, artifacts_destination: str | None) -> None:
    from mltrail.store.uri import artifact_repository_for

    uri = _direct_artifact_uri(run.info.artifact_uri, artifacts_destination)
    try:
        artifact_repository_for(uri).delete_artifacts()
    except MltrailError as error:
        # Like MLflow: an unreachable artifact location must not block purging the records.
        click.secho(
            f"Could not delete the artifacts of run {run.info.run_id} at {uri}: "
            f"{error.message} The run is purged anyway; remove its artifacts by hand.",
            fg="yellow",
            err=True,
        )


def _direct_artifact_uri(artifact_uri: str, artifacts_destination: str | None) -> str:
    """A proxied ``mlflow-artifacts:/path`` URI as a location under the server's destination."""
    parsed = urlparse(artifact_uri)
    if artifacts_destination is None or parsed.scheme not in PROXY_SCHEMES:
        return artifact_uri
    return f"{artifacts_destination.rstrip('/')}/{normalize_artifact_path(parsed.path.lstrip('/'))}"
