"""`mltrail run URI`: run an MLproject from a folder or a git URI (MLflow's `mlflow run`)."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from typing import Any

import click

ENV_MANAGERS = ("local", "virtualenv", "uv", "conda")


def _pairs(values: tuple[str, ...], what: str, flag_ok: bool) -> dict[str, Any]:
    """``("alpha=0.5", "privileged")`` -> ``{"alpha": "0.5", "privileged": True}``."""
    parsed: dict[str, Any] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not name or (not sep and not flag_ok):
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint=what)
        parsed[name] = value if sep else True
    return parsed


@click.command("run")
@click.argument("uri")
@click.option("-e", "--entry-point", default="main", show_default=True, help="Entry point to run.")
@click.option("-v", "--version", help="Git commit, branch or tag to run (git projects).")
@click.option(
    "-P", "--param-list", "params", multiple=True, metavar="NAME=VALUE", help="A parameter."
)
@click.option(
    "-A",
    "--docker-args",
    multiple=True,
    metavar="NAME[=VALUE]",
    help="A `docker run` option for docker_env projects (-A gpus=all -> --gpus all).",
)
@click.option("--experiment-name", help="Experiment to record the run in (created if new).")
@click.option("--experiment-id", help="Experiment id to record the run in.")
@click.option("-b", "--backend", default="local", show_default=True, help="Where to run.")
@click.option("-c", "--backend-config", help="JSON file or JSON string for the backend.")
@click.option(
    "--env-manager",
    type=click.Choice(ENV_MANAGERS),
    help="How to build the environment; default from the project "
    "(python_env: uv if installed, else virtualenv; conda_env: conda; none: local).",
)
@click.option("--storage-dir", help="Where remote `path` parameters are downloaded.")
@click.option("--run-id", help="Record into this existing run instead of a new one.")
@click.option("--run-name", help="Name of the new run.")
@click.option("--build-image", is_flag=True, help="Build a new image with the project (docker).")
def run(
    uri: str,
    entry_point: str,
    version: str | None,
    params: tuple[str, ...],
    docker_args: tuple[str, ...],
    experiment_name: str | None,
    experiment_id: str | None,
    backend: str,
    backend_config: str | None,
    env_manager: str | None,
    storage_dir: str | None,
    run_id: str | None,
    run_name: str | None,
    build_image: bool,
) -> None:
    """Run an MLproject from a folder or a git URI as a run.

    URI is a folder, or a git URI (https, ssh, file) with an optional #sub/directory.
    The run ends FINISHED, FAILED (non-zero exit: this command exits 1) or KILLED (Ctrl-C).
    """
    from mltrail.projects import run as run_project

    _show_progress()
    # The entry point runs in its own process group, so signals meant for this command do not
    # reach it: turn them into a cancel (which stops the whole group) instead of orphaning it.
    in_main_thread = threading.current_thread() is threading.main_thread()  # signal's rule
    previous = (
        {signum: signal.signal(signum, _interrupt) for signum in _CANCELLING_SIGNALS}
        if in_main_thread
        else {}
    )
    try:
        run_project(
            uri,
            entry_point=entry_point,
            version=version,
            parameters=_pairs(params, "-P", flag_ok=False),
            docker_args=_pairs(docker_args, "-A", flag_ok=True),
            experiment_name=experiment_name,
            experiment_id=experiment_id,
            backend=backend,
            backend_config=_backend_config(backend_config),
            storage_dir=storage_dir,
            run_id=run_id,
            run_name=run_name,
            env_manager=env_manager,
            build_image=build_image,
        )
    except KeyboardInterrupt as interrupted:
        click.echo("Interrupted: the run was cancelled (KILLED).", err=True)
        sys.exit(128 + getattr(interrupted, "signum", signal.SIGINT))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_CANCELLING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class _Signalled(KeyboardInterrupt):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, _frame: object) -> None:
    raise _Signalled(signum)


def _backend_config(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        if value.lstrip().startswith("{"):
            loaded = json.loads(value)
        else:
            with open(value, encoding="utf-8") as source:
                loaded = json.load(source)
    except (OSError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="--backend-config") from None
    if not isinstance(loaded, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--backend-config")
    return loaded


def _show_progress() -> None:
    logger = logging.getLogger("mltrail.projects")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
