"""The `mltrail` entry point: the command tree, declared as data and loaded on demand."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mltrail.cli._lazy import LazyCommand, LazyGroup

COMMANDS: dict[str, LazyCommand] = {
    "artifacts": LazyCommand(
        "mltrail.cli.artifacts:artifacts", "Upload, list and download the artifacts of runs."
    ),
    "db": LazyCommand("mltrail.cli.db:db", "Manage a tracking database (schema upgrades)."),
    "experiments": LazyCommand(
        "mltrail.cli.experiments:experiments",
        "Create, find, rename, delete and export experiments.",
    ),
    "gc": LazyCommand(
        "mltrail.cli.gc:gc",
        "Permanently delete runs and experiments in the `deleted` lifecycle stage.",
    ),
    "import": LazyCommand(
        "mltrail.cli.transfer:import_",
        "Copy experiments, runs, metrics, artifacts and the model registry from MLflow.",
    ),
    "models": LazyCommand(
        "mltrail.cli.models:models", "Serve a model over HTTP or predict with it on a file."
    ),
    "run": LazyCommand(
        "mltrail.cli.projects:run", "Run an MLproject from a folder or a git URI as a run."
    ),
    "runs": LazyCommand(
        "mltrail.cli.runs:runs", "List, describe, create, delete and restore runs."
    ),
    "server": LazyCommand(
        "mltrail.cli.server:server",
        "Run the tracking server: MLflow's REST API, the artifact proxy and the UI.",
        "server",
    ),
    "sync": LazyCommand(
        "mltrail.cli.transfer:sync",
        "Upload runs logged offline (MLTRAIL_OFFLINE=1) and batches a server missed.",
    ),
    "ui": LazyCommand(
        "mltrail.cli.server:ui",
        "Run the tracking server on the embedded default store (./mltrail.db).",
        "server",
    ),
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"max_content_width": 100})
# The version is read from the installed distribution only when --version is given.
@click.version_option(package_name="mltrail", prog_name="mltrail")
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read environment variables (KEY=VALUE lines) from this file first. "
    "Variables already set in the environment win.",
)
def cli(env_file: Path | None) -> None:
    """mltrail: track experiments, runs and artifacts; MLflow-compatible and fast.

    Commands that talk to a tracking store use --tracking-uri, else MLTRAIL_TRACKING_URI or
    MLFLOW_TRACKING_URI, else ./mltrail.db.
    """
    if env_file is not None:
        load_env_file(env_file)


def load_env_file(path: Path) -> None:
    """Set variables from a dotenv-style file without overriding the existing environment."""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise click.BadParameter(
                f"line {number} is not KEY=VALUE: {raw!r}", param_hint=str(path)
            )
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(key, value)


if __name__ == "__main__":
    cli()
