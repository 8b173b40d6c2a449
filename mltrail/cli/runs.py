"""`mltrail runs`: list, describe, create, delete and restore runs."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import click

from mltrail.cli._client import all_pages, client_for
from mltrail.cli._options import tracking_uri_option, view_option, view_type
from mltrail.cli._output import echo_json, echo_table, utc_time

if TYPE_CHECKING:
    from mltrail.entities import Run

PARENT_RUN_ID_TAG = "mlflow.parentRunId"
NOTE_TAG = "mlflow.note.content"


@click.group()
def runs() -> None:
    """List, describe, create, delete and restore runs.

    Set --tracking-uri (or MLFLOW_TRACKING_URI) to work with a tracking server or database.
    """


run_id_option = click.option("--run-id", required=True, help="Id of the run.")


@runs.command("list")
@click.option("--experiment-id", required=True, help="Experiment whose runs to list.")
@view_option("runs")
@tracking_uri_option
def list_runs(experiment_id: str, view: str, tracking_uri: str | None) -> None:
    """List the runs of an experiment, newest first."""
    client = client_for(tracking_uri)
    found = all_pages(
        lambda token: client.search_runs(
            experiment_id, run_view_type=view_type(view), page_token=token
        )
    )
    rows = [(utc_time(r.info.start_time), r.info.run_name, r.info.run_id) for r in found]
    echo_table(["Date", "Name", "ID"], rows)


@runs.command()
@run_id_option
@tracking_uri_option
def describe(run_id: str, tracking_uri: str | None) -> None:
    """Print everything about a run as JSON: info, data, inputs and outputs."""
    echo_json(run_document(client_for(tracking_uri).get_run(run_id)), indent=4)


@runs.command()
@click.option("--experiment-id", help="Experiment of the new run (or give --experiment-name).")
@click.option("--experiment-name", help="Experiment of the new run (or give --experiment-id).")
@click.option("--run-name", help="A readable name; one is generated when omitted.")
@click.option("--description", help="A longer description, shown as the run's note.")
@click.option("-t", "--tags", multiple=True, metavar="KEY=VALUE", help="A tag; repeat for several.")
@click.option(
    "--status",
    type=click.Choice(["finished", "failed", "killed"], case_sensitive=False),
    default="finished",
    show_default=True,
    help="The status the run ends with.",
)
@click.option("--parent-run-id", help="Make the new run a child of this run.")
@tracking_uri_option
def create(
    experiment_id: str | None,
    experiment_name: str | None,
    run_name: str | None,
    description: str | None,
    tags: tuple[str, ...],
    status: str,
    parent_run_id: str | None,
    tracking_uri: str | None,
) -> None:
    """Record a run that has already ended (e.g. from a script), and print its id as JSON."""
    client = client_for(tracking_uri)
    if (experiment_id is None) == (experiment_name is None):
        raise click.UsageError("Give exactly one of --experiment-id and --experiment-name.")
    if experiment_name is not None:
        experiment = client.get_experiment_by_name(experiment_name)
        if experiment is None:
            raise click.ClickException(f"No experiment named {experiment_name!r}.")
        experiment_id = experiment.experiment_id
    assert experiment_id is not None
    run_tags = dict(_parse_tag(t) for t in tags)
    if description:
        run_tags[NOTE_TAG] = description
    if parent_run_id:
        client.get_run(parent_run_id)  # refuse an unknown parent before creating anything
        run_tags[PARENT_RUN_ID_TAG] = parent_run_id
    run = client.create_run(experiment_id, tags=run_tags, run_name=run_name)
    client.set_terminated(run.info.run_id, status.upper())
    echo_json(
        {
            "run_id": run.info.run_id,
            "experiment_id": run.info.experiment_id,
            "status": status.upper(),
            "run_name": run.info.run_name,
        }
    )


@runs.command()
@run_id_option
@tracking_uri_option
def delete(run_id: str, tracking_uri: str | None) -> None:
    """Mark a run deleted (`restore` brings it back until `mltrail gc` removes it)."""
    client_for(tracking_uri).delete_run(run_id)
    click.echo(f"Run with ID {run_id} has been deleted.")


@runs.command()
@run_id_option
@tracking_uri_option
def restore(run_id: str, tracking_uri: str | None) -> None:
    """Bring back a deleted run."""
    client_for(tracking_uri).restore_run(run_id)
    click.echo(f"Run with id {run_id} has been restored.")


def run_document(run: Run) -> dict[str, Any]:
    """The run as MLflow's `Run.to_dictionary()` shapes it."""
    info = run.info
    return {
        "info": {
            "artifact_uri": info.artifact_uri,
            "end_time": info.end_time,
            "experiment_id": info.experiment_id,
            "lifecycle_stage": str(info.lifecycle_stage),
            "run_id": info.run_id,
            "run_name": info.run_name,
            "start_time": info.start_time,
            "status": str(info.status),
            "user_id": info.user_id,
        },
        "data": {
            "metrics": run.data.metrics,
            "params": dict(run.data.params),
            "tags": dict(run.data.tags),
        },
        "inputs": {
            "model_inputs": [dataclasses.asdict(m) for m in run.inputs.model_inputs],
            "dataset_inputs": [dataclasses.asdict(d) for d in run.inputs.dataset_inputs],
        },
        "outputs": {"model_outputs": [dataclasses.asdict(m) for m in run.outputs.model_outputs]},
    }


def _parse_tag(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise click.BadParameter(f"{text!r} is not KEY=VALUE.", param_hint="--tags")
    return key.strip(), value
