"""`mltrail artifacts`: list, download and upload the artifacts of runs.

Transfers draw a progress bar on stderr when stderr is a terminal (and
``MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR`` is not off) or when ``--progress`` is given. With a
bar, files move one at a time so the bar advances per file even for backends that report no
bytes; backends that do (S3) move it smoothly within a file.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mltrail import _progress
from mltrail.cli._client import client_for
from mltrail.cli._options import tracking_uri_option
from mltrail.cli._output import echo_json

if TYPE_CHECKING:
    from mltrail.store.artifacts.base import ArtifactRepository
    from mltrail.tracking.client import MltrailClient

RUNS_SCHEME = "runs:/"
MODELS_SCHEME = "models:/"
_MAX_SOURCE_HOPS = 8  # a registered version whose source is another version, and so on


@click.group()
def artifacts() -> None:
    """Upload, list and download the artifacts of runs.

    Set --tracking-uri (or MLFLOW_TRACKING_URI) to work with a tracking server or database.
    """


artifact_path_option = click.option(
    "-a", "--artifact-path", help="A path relative to the run's artifact root."
)
progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Draw a progress bar on stderr (default: when stderr is a terminal).",
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
    help="URI of an artifact file or folder, e.g. runs:/<run_id>/model, s3://bucket/path or a "
    "model (models:/name@champion, models:/name/1, models:/<model_id>); use instead of --run-id "
    "and --artifact-path.",
)
@click.option(
    "-d",
    "--dst-path",
    help="Local folder to download into, created if needed; a new temporary folder by default.",
)
@tracking_uri_option
@progress_option
def download(
    run_id: str | None,
    artifact_path: str | None,
    artifact_uri: str | None,
    dst_path: str | None,
    tracking_uri: str | None,
    progress: bool | None,
) -> None:
    """Download an artifact file or folder and print its local path."""
    if (run_id is None) == (artifact_uri is None):
        raise click.UsageError("Give exactly one of --run-id and --artifact-uri.")
    if artifact_uri is not None and artifact_path is not None:
        raise click.UsageError("--artifact-path goes with --run-id, not with --artifact-uri.")
    if run_id is not None:
        repo = client_for(tracking_uri).get_artifact_repository(run_id)
        path = artifact_path or ""
    else:
        assert artifact_uri is not None
        repo, path = locate_uri(artifact_uri, tracking_uri)
    if show_progress(progress):
        local = download_with_progress(repo, path, dst_path)
    else:
        local = repo.download_artifacts(path, dst_path)
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
@progress_option
def log_artifact(
    local_file: str,
    run_id: str,
    artifact_path: str | None,
    tracking_uri: str | None,
    progress: bool | None,
) -> None:
    """Upload one local file as an artifact of a run."""
    client = client_for(tracking_uri)
    size = os.path.getsize(local_file)
    with bar("Uploading", size, show_progress(progress)) as progress_bar:
        client.log_artifact(run_id, local_file, artifact_path)
        if progress_bar:
            progress_bar.file_done(size)
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
@progress_option
def log_artifacts(
    local_dir: str,
    run_id: str,
    artifact_path: str | None,
    tracking_uri: str | None,
    progress: bool | None,
) -> None:
    """Upload the contents of a local folder, recursively, as artifacts of a run."""
    client = client_for(tracking_uri)
    if not show_progress(progress):
        client.log_artifacts(run_id, local_dir, artifact_path)
    else:
        files = list(local_files(Path(local_dir)))
        with bar("Uploading", sum(size for _, _, size in files), True) as progress_bar:
            assert progress_bar is not None
            for source, folder, size in files:
                target = "/".join(p for p in (artifact_path, folder) if p) or None
                client.log_artifact(run_id, str(source), target)
                progress_bar.file_done(size)
    click.echo(f"Logged artifact from local dir {local_dir} to artifact_path={artifact_path}")


def locate_uri(
    artifact_uri: str, tracking_uri: str | None, hops: int = 0
) -> tuple[ArtifactRepository, str]:
    """The repository and path that `artifact_uri` names: ``runs:/<run_id>/<path>``, a model
    (``models:/<model_id>``, or a registered version as ``models:/name/1``, ``@alias``,
    ``/Stage`` or ``/latest``: its source), or any repository URI."""
    from mltrail.models.uris import LOGGED_MODEL_ID
    from mltrail.store.uri import artifact_repository_for

    if artifact_uri.startswith(RUNS_SCHEME):
        run_id, _, path = artifact_uri[len(RUNS_SCHEME) :].strip("/").partition("/")
        if not run_id:
            raise click.BadParameter("a runs:/ URI names a run: runs:/<run_id>/<path>.")
        client: MltrailClient = client_for(tracking_uri)
        return client.get_artifact_repository(run_id), path
    if artifact_uri.startswith(MODELS_SCHEME):
        client = client_for(tracking_uri)
        name = artifact_uri[len(MODELS_SCHEME) :].strip("/")
        if LOGGED_MODEL_ID.match(name):
            return artifact_repository_for(client.get_logged_model(name).artifact_location), ""
        if hops > _MAX_SOURCE_HOPS:
            raise click.BadParameter(f"{artifact_uri}: too many models:/ sources in a row.")
        source = str(client.resolve_model_version(artifact_uri).source)
        return locate_uri(source, tracking_uri, hops + 1)

    parent, name = _split_uri(artifact_uri)
    return artifact_repository_for(parent), name


def download_uri(artifact_uri: str, dst_path: str | None, tracking_uri: str | None) -> str:
    """Download what `artifact_uri` names; return the local path."""
    repo, path = locate_uri(artifact_uri, tracking_uri)
    return repo.download_artifacts(path, dst_path)


# -- progress --------------------------------------------------------------------------------


def show_progress(flag: bool | None) -> bool:
    """--progress / --no-progress, else a bar when stderr is a terminal and bars are enabled."""
    if flag is not None:
        return flag
    from mltrail.settings import Settings

    return sys.stderr.isatty() and Settings.from_env().enable_artifacts_progress_bar


@contextmanager
def bar(label: str, total: int, enabled: bool) -> Iterator[_progress.ByteBar | None]:
    """A stderr progress bar that receives the transfers' byte reports, or nothing."""
    if not enabled:
        yield None
        return
    progress_bar = _progress.ByteBar(label, total, sys.stderr)
    try:
        with _progress.reporting(progress_bar):
            yield progress_bar
    finally:
        progress_bar.close()


def local_files(root: Path) -> Iterator[tuple[Path, str, int]]:
    """(file, its folder relative to `root`, size) for every file under `root`, in order."""
    for folder, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        relative = Path(folder).relative_to(root).as_posix()
        for name in sorted(filenames):
            source = Path(folder, name)
            yield source, "" if relative == "." else relative, source.stat().st_size


def remote_files(repo: ArtifactRepository, path: str) -> list[tuple[str, int]]:
    """(path, size) of every file at or under `path`; empty when nothing is there."""
    found: list[tuple[str, int]] = []
    for info in repo.list_artifacts(path or None):
        if info.is_dir:
            found += remote_files(repo, info.path)
        else:
            found.append((info.path, info.file_size or 0))
    if not found and path:  # `path` may be a file: find it in its folder's listing
        folder = path.rpartition("/")[0]
        found = [
            (i.path, i.file_size or 0)
            for i in repo.list_artifacts(folder or None)
            if i.path == path and not i.is_dir
        ]
    return found


def download_with_progress(repo: ArtifactRepository, path: str, dst_path: str | None) -> str:
    """`repo.download_artifacts(path, dst_path)`, one file at a time under a progress bar."""
    files = remote_files(repo, path)
    if not files:  # missing (or an empty folder): let the repository give its answer
        return repo.download_artifacts(path, dst_path)
    destination = dst_path or tempfile.mkdtemp(prefix="mltrail-")
    with bar("Downloading", sum(size for _, size in files), True) as progress_bar:
        assert progress_bar is not None
        for file_path, size in files:
            repo.download_artifacts(file_path, destination)
            progress_bar.file_done(size)
    local = Path(destination).joinpath(path) if path else Path(destination)
    return str(local.absolute())


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
