"""`mltrail models ...`: serve a saved model over HTTP, predict with it on a file, build its
environment, edit its pip requirements, and package it as a Docker image.

`--env-manager local` runs the model in this Python; virtualenv, uv and conda build (or reuse)
the model's own environment from its python_env.yaml / requirements.txt / conda.yaml, with this
mltrail installed into it, and run the scoring server or the predictor there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from mltrail.cli._options import F

ENV_MANAGERS = ("local", "virtualenv", "uv", "conda")
APP_FACTORY = "mltrail.serving.app:app_from_env"
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv"}

model_uri_option = click.option(
    "-m",
    "--model-uri",
    metavar="URI",
    required=True,
    help="The model: a local path, runs:/, models:/ or another artifact URI.",
)


def _env_manager_option(text: str) -> Callable[[F], F]:
    return click.option(
        "--env-manager",
        type=click.Choice(ENV_MANAGERS),
        default="local",
        show_default=True,
        help=text,
    )


env_manager_option = _env_manager_option(
    "Where the model runs: local (this Python environment), or an environment built "
    "from the model's requirements with virtualenv, uv or conda (cached and reused)."
)


@click.group("models")
def models() -> None:
    """Serve a model over HTTP or predict with it on a file."""


@models.command("serve")
@model_uri_option
@click.option("-h", "--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("-p", "--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "-w",
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes (each loads the model once).",
)
@click.option(
    "-t",
    "--timeout",
    default=60,
    show_default=True,
    type=click.IntRange(min=1),
    help="Seconds a request may take before it fails with 504.",
)
@env_manager_option
def serve(
    model_uri: str, host: str, port: int, workers: int, timeout: int, env_manager: str
) -> None:
    """Serve a model's predictions on /invocations (MLflow's scoring protocol)."""
    if env_manager != "local":
        options = ["-h", host, "-p", str(port), "-w", str(workers), "-t", str(timeout)]
        _exit_with(_in_model_env(model_uri, env_manager, "serve", options))
    import uvicorn

    from mltrail.serving.app import MODEL_URI_ENV_VAR, TIMEOUT_ENV_VAR

    os.environ[MODEL_URI_ENV_VAR] = _resolved(model_uri)
    os.environ[TIMEOUT_ENV_VAR] = str(timeout)
    click.echo(f"Serving {model_uri} on http://{host}:{port}")
    uvicorn.run(
        APP_FACTORY,
        host=host,
        port=port,
        factory=True,
        workers=workers if workers > 1 else None,
        access_log=False,
        timeout_keep_alive=30,
    )


def _resolved(model_uri: str) -> str:
    """A local path made absolute, so worker processes find it whatever their cwd."""
    path = Path(model_uri).expanduser()
    return str(path.resolve()) if ":" not in model_uri and path.exists() else model_uri


@models.command("predict")
@model_uri_option
@click.option(
    "-i",
    "--input-path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The input file (default: stdin).",
)
@click.option(
    "-o",
    "--output-path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the predictions JSON (default: stdout).",
)
@click.option(
    "-t",
    "--content-type",
    type=click.Choice(sorted(CONTENT_TYPES)),
    default="json",
    show_default=True,
    help="Format of the input: a JSON scoring request or a CSV DataFrame.",
)
@env_manager_option
def predict(
    model_uri: str,
    input_path: Path | None,
    output_path: Path | None,
    content_type: str,
    env_manager: str,
) -> None:
    """Predict with a model on a JSON or CSV file and write {"predictions": ...} JSON."""
    if env_manager != "local":
        options = ["-t", content_type]
        options += ["-i", str(input_path.resolve())] if input_path is not None else []
        options += ["-o", str(output_path.resolve())] if output_path is not None else []
        _exit_with(_in_model_env(model_uri, env_manager, "predict", options))
    from mltrail.pyfunc import load_model
    from mltrail.serving.app import predict as score
    from mltrail.serving.payload import parse_payload

    body = input_path.read_bytes() if input_path is not None else sys.stdin.buffer.read()
    model = load_model(model_uri)
    signature = model.metadata.signature
    payload = parse_payload(
        CONTENT_TYPES[content_type], body, signature.inputs if signature else None
    )
    result = score(model, payload.data, payload.params)
    if output_path is None:
        click.echo(result.decode())
    else:
        output_path.write_bytes(result)


def _in_model_env(model_uri: str, env_manager: str, command: str, options: list[str]) -> int:
    from mltrail.serving.environments import run_in_env

    return run_in_env(model_uri, env_manager, command, options)


def _exit_with(code: int) -> None:
    # The child has printed its own output and errors; only its exit code is passed on.
    raise SystemExit(code)


@models.command("prepare-env")
@model_uri_option
@click.option(
    "--env-manager",
    type=click.Choice(ENV_MANAGERS),
    default="virtualenv",
    show_default=True,
    help="The tool that builds the model's environment (local: nothing to build).",
)
def prepare_env(model_uri: str, env_manager: str) -> None:
    """Build (or find in the cache) the environment the model is served in, and print where
    it is, so later serve/predict calls start at once."""
    from mltrail.serving.environments import local_model, prepare

    with local_model(model_uri) as model_dir:
        env = prepare(model_dir, env_manager)
    if env.location is None:
        click.echo(f"The model runs in this environment ({env.python}).")
    else:
        state = "Created" if env.created else "Reusing"
        click.echo(f"{state} the {env_manager} environment {env.location}")


@models.command("update-pip-requirements")
@model_uri_option
@click.argument("operation", type=click.Choice(["add", "remove"]))
@click.argument("requirement_strings", nargs=-1)
def update_pip_requirements(
    model_uri: str, operation: str, requirement_strings: tuple[str, ...]
) -> None:
    """Add or remove pip requirements of a model (requirements.txt, conda.yaml, python_env.yaml).

    add replaces a requirement on the same project in place and appends the others; remove
    drops every requirement on the named projects (version specifiers are ignored). Works on
    local models and runs:/ URIs (and other artifact URIs); models:/ URIs are read-only.
    """
    from mltrail.serving.requirements import update_requirements

    changed = update_requirements(model_uri, operation, requirement_strings)
    files = ", ".join(changed) if changed else "no file (nothing to change)"
    click.echo(f"Updated the requirements of the model at {model_uri}: {files}")


install_java_option = click.option(
    "--install-java",
    type=click.BOOL,
    default=None,
    help="Install a Java runtime in the image (default: only for flavors that need it, "
    "e.g. spark).",
)
docker_env_manager_option = _env_manager_option(
    "local installs the model's requirements into the image's Python; virtualenv, uv "
    "and conda build the model's environment inside the image at build time."
)


@models.command("generate-dockerfile")
@model_uri_option
@click.option(
    "-d",
    "--output-directory",
    default="mltrail-dockerfile",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the Dockerfile and its build context (the model, mltrail's wheel).",
)
@docker_env_manager_option
@install_java_option
def generate_dockerfile(
    model_uri: str, output_directory: Path, env_manager: str, install_java: bool | None
) -> None:
    """Write a Dockerfile (and its build context) whose image serves the model on port 8080."""
    from mltrail.serving.docker import generate
    from mltrail.serving.environments import local_model

    with local_model(model_uri) as model_dir:
        dockerfile = generate(model_dir, output_directory, env_manager, install_java)
    click.echo(f"Wrote {dockerfile}; build it with: docker build -t NAME {output_directory}")


@models.command("build-docker")
@model_uri_option
@click.option(
    "-n", "--name", default="mltrail-pyfunc", show_default=True, help="The image's name (tag)."
)
@docker_env_manager_option
@install_java_option
def build_docker(model_uri: str, name: str, env_manager: str, install_java: bool | None) -> None:
    """Build a Docker image serving the model on port 8080 (`docker run -p 8080:8080 NAME`)."""
    from mltrail.serving.docker import build_image, require_engine
    from mltrail.serving.environments import local_model

    require_engine(name)  # before the model is downloaded
    with local_model(model_uri) as model_dir:
        build_image(model_dir, name, env_manager, install_java)
    click.echo(f"Built the image {name}; serve it with: docker run -p 8080:8080 {name}")
