"""`mltrail experiments`: create, search, show, rename, delete, restore and export experiments."""

from __future__ import annotations

import csv
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from mltrail.cli._client import all_pages, client_for
from mltrail.cli._options import tracking_uri_option, view_option, view_type
from mltrail.cli._output import echo_json, echo_table, utc_time
from mltrail.errors import NotFound

if TYPE_CHECKING:
    from mltrail.entities import Experiment, Run
    from mltrail.tracking.client import MltrailClient


@click.group()
def experiments() -> None:
    """Create, find, rename, delete and export experiments.

    Set --tracking-uri (or MLFLOW_TRACKING_URI) to work with a tracking server or database.
    """


experiment_id_option = click.option("-x", "--experiment-id", required=True, help="Experiment id.")


@experiments.command()
@click.option("-n", "--experiment-name", required=True, help="Unique name of the new experiment.")
@click.option(
    "-l",
    "--artifact-location",
    help="Where the experiment's runs store artifacts (<location>/<run_id>/artifacts). "
    "The tracking store picks a default when omitted.",
)
@tracking_uri_option
def create(experiment_name: str, artifact_location: str | None, tracking_uri: str | None) -> None:
    """Create an experiment and print its id."""
    experiment_id = client_for(tracking_uri).create_experiment(experiment_name, artifact_location)
    click.echo(f"Created experiment {experiment_name!r} with id {experiment_id}")


@experiments.command()
@view_option("experiments")
@click.option("--max-results", type=click.IntRange(min=1), help="Show at most this many.")
@tracking_uri_option
def search(view: str, max_results: int | None, tracking_uri: str | None) -> None:
    """List the experiments of the tracking store."""
    client = client_for(tracking_uri)
    found = all_pages(
        lambda token: client.search_experiments(view_type(view), page_token=token), max_results
    )
    rows = [(e.experiment_id, e.name, e.artifact_location) for e in found]
    echo_table(["Experiment Id", "Name", "Artifact Location"], rows)


@experiments.command()
@click.option("-x", "--experiment-id", help="Id of the experiment to show.")
@click.option("-n", "--experiment-name", help="Name of the experiment to show.")
@click.option(
    "--output",
    type=click.Choice(["json", "table"]),
    default="table",
    show_default=True,
    help="Print a readable table or a JSON document.",
)
@tracking_uri_option
def get(
    experiment_id: str | None, experiment_name: str | None, output: str, tracking_uri: str | None
) -> None:
    """Show one experiment, chosen by id or by name."""
    experiment = _find(client_for(tracking_uri), experiment_id, experiment_name)
    if output == "json":
        echo_json(experiment_document(experiment))
        return
    tags = ", ".join(f"{k}={v}" for k, v in sorted(experiment.tags.items()))
    for label, value in [
        ("Experiment ID", experiment.experiment_id),
        ("Name", experiment.name),
        ("Artifact Location", experiment.artifact_location),
        ("Lifecycle Stage", experiment.lifecycle_stage),
        ("Creation Time", experiment.creation_time),
        ("Last Update Time", experiment.last_update_time),
        ("Tags", tags),
    ]:
        click.echo(f"{label:<19}: {'' if value is None else value}")


@experiments.command()
@experiment_id_option
@click.option("--new-name", required=True, help="The experiment's new, unique name.")
@tracking_uri_option
def rename(experiment_id: str, new_name: str, tracking_uri: str | None) -> None:
    """Rename an active experiment."""
    client_for(tracking_uri).rename_experiment(experiment_id, new_name)
    click.echo(f"Experiment with id {experiment_id} has been renamed to {new_name!r}.")


@experiments.command()
@experiment_id_option
@tracking_uri_option
def delete(experiment_id: str, tracking_uri: str | None) -> None:
    """Mark an experiment and its runs deleted.

    Deleted experiments can be brought back with `restore` until `mltrail gc` removes them
    for good.
    """
    client_for(tracking_uri).delete_experiment(experiment_id)
    click.echo(f"Experiment with ID {experiment_id} has been deleted.")


@experiments.command()
@experiment_id_option
@tracking_uri_option
def restore(experiment_id: str, tracking_uri: str | None) -> None:
    """Bring back a deleted experiment and its runs."""
    client_for(tracking_uri).restore_experiment(experiment_id)
    click.echo(f"Experiment with id {experiment_id} has been restored.")


@experiments.command("csv")
@experiment_id_option
@click.option(
    "-o",
    "--filename",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write here instead of standard output.",
)
@tracking_uri_option
def export_csv(experiment_id: str, filename: Path | None, tracking_uri: str | None) -> None:
    """Export the active runs of an experiment as CSV: one row per run, one column per field."""
    client = client_for(tracking_uri)
    client.get_experiment(experiment_id)  # a clear error for an unknown id
    runs = list(all_pages(lambda token: client.search_runs(experiment_id, page_token=token)))
    target = filename.open("w", newline="", encoding="utf-8") if filename else None
    with target or nullcontext(sys.stdout) as out:
        write_runs_csv(runs, out)


def write_runs_csv(runs: list[Run], out: IO[str]) -> None:
    """Columns: run attributes, then sorted metrics.*, params.* and tags.* of all runs."""
    metric_keys = sorted({k for r in runs for k in r.data.metrics})
    param_keys = sorted({k for r in runs for k in r.data.params})
    tag_keys = sorted({k for r in runs for k in r.data.tags})
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"]
        + [f"metrics.{k}" for k in metric_keys]
        + [f"params.{k}" for k in param_keys]
        + [f"tags.{k}" for k in tag_keys]
    )
    for run in runs:
        info, data = run.info, run.data
        metrics = data.metrics
        writer.writerow(
            [info.run_id, info.experiment_id, info.status, info.artifact_uri]
            + [utc_time(t, milliseconds=True) for t in (info.start_time, info.end_time)]
            + [_csv_value(metrics.get(k)) for k in metric_keys]
            + [data.params.get(k, "") for k in param_keys]
            + [data.tags.get(k, "") for k in tag_keys]
        )


def _csv_value(value: float | None) -> str:
    return "" if value is None else repr(value)


def experiment_document(experiment: Experiment) -> dict[str, object]:
    return {
        "artifact_location": experiment.artifact_location,
        "creation_time": experiment.creation_time,
        "experiment_id": experiment.experiment_id,
        "last_update_time": experiment.last_update_time,
        "lifecycle_stage": str(experiment.lifecycle_stage),
        "name": experiment.name,
        "tags": dict(experiment.tags),
    }


def _find(
    client: MltrailClient, experiment_id: str | None, experiment_name: str | None
) -> Experiment:
    if (experiment_id is None) == (experiment_name is None):
        raise click.UsageError("Give exactly one of --experiment-id and --experiment-name.")
    if experiment_id is not None:
        return client.get_experiment(experiment_id)
    assert experiment_name is not None
    experiment = client.get_experiment_by_name(experiment_name)
    if experiment is None:
        raise NotFound(f"No experiment named {experiment_name!r}.")
    return experiment
