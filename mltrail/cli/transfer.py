"""`mltrail import` and `mltrail sync`: copy tracking history into mltrail, and upload what
was logged offline. Both call one operation of `mltrail.transfer`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mltrail.transfer.offline import SyncStatus


class _ProgressLine:
    """One progress line on stderr, at most every `EVERY_S` seconds; rewritten in place on a
    terminal, one line each on a pipe."""

    EVERY_S = 0.5

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.width = 0
        self.last = 0.0

    def __call__(self, line: str) -> None:
        now = time.monotonic()
        if now - self.last < self.EVERY_S:
            return
        self.last = now
        if self.tty:
            click.echo("\r" + line.ljust(self.width), nl=False, err=True)
            self.width = len(line)
        else:
            click.echo(line, err=True)

    def end(self) -> None:
        if self.tty and self.width:
            click.echo(err=True)


@click.command("import")
@click.option(
    "--from",
    "source",
    required=True,
    help="What to copy: an MLflow database URI (sqlite:///mlflow.db, postgresql://...), a "
    "legacy ./mlruns folder, or an http(s) MLflow tracking server URL.",
)
@click.option(
    "--to",
    "destination",
    envvar=["MLTRAIL_TRACKING_URI", "MLFLOW_TRACKING_URI"],
    help="The mltrail tracking store to copy into (default: the tracking URI, else ./mltrail.db).",
)
@click.option(
    "--artifacts",
    "artifacts_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Local folder behind the source's mlflow-artifacts:/ URIs (the --artifacts-destination "
    "of the server that wrote the database).",
)
@click.option("--no-artifacts", is_flag=True, help="Copy metadata only, not artifact files.")
@click.option("--no-registry", is_flag=True, help="Leave the model registry out.")
@click.option("--dry-run", is_flag=True, help="Report what would be copied; change nothing.")
def import_(
    source: str,
    destination: str | None,
    artifacts_root: Path | None,
    no_artifacts: bool,
    no_registry: bool,
    dry_run: bool,
) -> None:
    """Copy experiments, runs, metrics, artifacts and the model registry from MLflow.

    Run ids, names, times, statuses, params, full metric histories, tags and dataset inputs
    are kept. Re-running copies only what is new; an interrupted import resumes.
    """
    from mltrail.store.uri import default_tracking_uri
    from mltrail.transfer import Options, transfer

    options = Options(artifacts=not no_artifacts, registry=not no_registry, dry_run=dry_run)
    progress = _ProgressLine()
    target = destination or default_tracking_uri()
    try:
        summary = transfer(
            source, target, options=options, proxy_artifacts=artifacts_root, progress=progress
        )
    finally:
        progress.end()
    click.echo(f"{'Dry run: ' if dry_run else ''}{source} -> {target}")
    for line in summary.lines(dry_run=dry_run):
        click.echo(f"  {line}")


@click.command()
@click.option("--to", "destination", help="The tracking server to upload to.")
@click.option("--status", "show_status", is_flag=True, help="List what is waiting to be sent.")
@click.option("--dry-run", is_flag=True, help="Report what would be sent; send nothing.")
def sync(destination: str | None, show_status: bool, dry_run: bool) -> None:
    """Upload runs logged offline (MLTRAIL_OFFLINE=1) and batches a server missed.

    Runs, params, metrics, tags, inputs and artifacts go up once; sync again any time, it
    sends only what is new and resumes an interrupted upload.
    """
    from mltrail.transfer import offline

    if show_status or destination is None:
        if not show_status:
            raise click.UsageError("Give --to SERVER_URL to upload, or --status to list.")
        _print_status(offline.status(destination))
        return
    progress = _ProgressLine()
    try:
        summary, resent = offline.sync(destination, dry_run=dry_run, progress=progress)
    finally:
        progress.end()
    click.echo(f"{'Dry run: ' if dry_run else ''}offline store -> {destination}")
    for line in summary.lines(dry_run=dry_run):
        click.echo(f"  {line}")
    click.echo(f"  left batches resent: {resent}")


def _print_status(found: SyncStatus) -> None:
    click.echo(f"Offline store: {found.offline_store}")
    click.echo(f"Runs not yet synced: {len(found.runs)}")
    for run_id, name, status in found.runs:
        click.echo(f"  {run_id}  {status:<9}  {name}")
    click.echo(f"Unsent batch files: {len(found.batches)}")
    for batch in found.batches:
        click.echo(f"  {batch.path.name}  {batch.records} batch(es) for {batch.server}")
