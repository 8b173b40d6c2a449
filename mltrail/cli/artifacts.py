"""`mltrail artifacts`: list, download and upload the artifacts of runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mltrail.cli._client import client_for
from mltrail.cli._options import tracking_uri_option
from mltrail.cli._output import echo_json

if TYPE_CHECKING:
    from mltrail.tracking.client import MltrailClient

RUNS_SCHEME = "runs:/"


@click.group()
def artifacts() -> None:
    """Upload, list and download the artifacts of runs.

    Set --tracking-uri (or MLFLOW_TRACKING_URI) to work with a tracking server or database.
    """


artifact_path_option = click.option(
    "-a", "--artifact-path", help="A path relative to the run's artifact root."
)


@artifacts.command("list")
@click.option("-r", "--run-id", required=True, help="Run whose artifacts to list.")
@artifact_path_option
@tracking_uri_option
def list_artifacts(run_id: str, artifact_path: str | None, tracking_uri: str | None) -> None:
    """Print, as JSON, the entries directly under the run's artifact root or a folder of it."""
    infos = client_for(tracking_uri).list_artifacts(run_id, artifact_path)
    echo_json(
        [{k: v for k, v in dataclasses.asdict(info).items() if v is not None} for info in infos]
    )


@artifacts.command()
@click.option("-r", "--run-id", help="Run to download from (or give --artifact-uri).")
@artifact_path_option
@click.option(
    "-u",
    "--artifact-uri",
    help="URI of an artifact file or folder, e.g. runs:/<run_id>/model or s3://bucket/path; "
    "use instead of --run-id and --artifact-path.",
)
@click.option(
    "-d",
    "--dst-path",
    help="Local folder to download into, created if needed; a new temporary folder by default.",
)
@tracking_uri_option
def download(
    run_id: str | None,
    artifact_path: str | None,
    artifact_uri: str | None,
    dst_path: str | None,
    tracking_uri: str | None,
) -> None:
    """Download an artifact file or folder and print its local path."""
    if (run_id is None) == (artifact_uri is None):
        raise click.UsageError("Give exactly one of --run-id and --artifact-uri.")
    if artifact_uri is not None and artifact_path is not None:
        raise click.UsageError("--artifact-path goes with --run-id, not with --artifact-uri.")
    if run_id is not None:
        local = client_for(tracking_uri).download_artifacts(run_id, artifact_path or "", dst_path)
    else:
        assert artifact_uri is not None
        local = download_uri(artifact_uri, dst_path, tracking_uri)
    click.echo(local)


@artifacts.command("log-artifact")
@click.option(
    "-l",
    "--local-file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The local file to upload.",
)
@click.option("-r", "--run-id", required=True, help="Run that receives the artifact.")
@click.option("-a", "--artifact-path", help="Folder of the run's artifacts to put the file in.")
@tracking_uri_option
def log_artifact(
    local_file: str, run_id: str, artifact_path: str | None, tracking_uri: str | None
) -> None:
    """Upload one local file as an artifact of a run."""
    client_for(tracking_uri).log_artifact(run_id, local_file, artifact_path)
    click.echo(f"Logged artifact from local file {local_file} to artifact_path={artifact_path}")


@artifacts.command("log-artifacts")
@click.option(
    "-l",
    "--local-dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="The local folder whose contents to upload.",
)
@click.option("-r", "--run-id", required=True, help="Run that receives the artifacts.")
@click.option("-a", "--artifact-path", help="Folder of the run's artifacts to put them in.")
@tracking_uri_option
def log_artifacts(
    local_dir: str, run_id: str, artifact_path: str | None, tracking_uri: str | None
) -> None:
    """Upload the contents of a local folder, recursively, as artifacts of a run."""
    client_for(tracking_uri).log_artifacts(run_id, local_dir, artifact_path)
    click.echo(f"Logged artifact from local dir {local_dir} to artifact_path={artifact_path}")


def download_uri(artifact_uri: str, dst_path: str | None, tracking_uri: str | None) -> str:
    """Download what `artifact_uri` names: ``runs:/<run_id>/<path>`` or any repository URI."""
    if artifact_uri.startswith(RUNS_SCHEME):
        run_id, _, path = artifact_uri[len(RUNS_SCHEME) :].strip("/").partition("/")
        if not run_id:
            raise click.BadParameter("a runs:/ URI names a run: runs:/<run_id>/<path>.")
        client: MltrailClient = client_for(tracking_uri)
        return client.download_artifacts(run_id, path, dst_path)
    from mltrail.store.uri import artifact_repository_for

    parent, name = _split_uri(artifact_uri)
    return artifact_repository_for(parent).download_artifacts(name, dst_path)


def _split_uri(artifact_uri: str) -> tuple[str, str]:
    """``scheme://host/a/b`` -> (``scheme://host/a``, ``b``): a repository and a name in it."""
    from mltrail.store.uri import scheme_of

    if scheme_of(artifact_uri) == "":
        path = Path(artifact_uri).absolute()
        return str(path.parent), path.name
    trimmed = artifact_uri.rstrip("/")
    parent, sep, name = trimmed.rpartition("/")
    if not sep or parent.endswith(("/", ":")):
        # The URI is a root (``s3://bucket``, ``file:///``): download all of it.
        return trimmed, ""
    return parent, name
