"""`mltrail models serve|predict`: score a saved model over HTTP or on a file.

Only the local environment is supported for now: the model runs in this Python, with the
packages already installed here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

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
env_manager_option = click.option(
    "--env-manager",
    type=click.Choice(ENV_MANAGERS),
    default="local",
    show_default=True,
    help="Where the model runs. Only 'local' (this Python environment) is supported yet.",
)


def check_env_manager(env_manager: str) -> None:
    if env_manager != "local":
        raise click.UsageError(
            f"--env-manager {env_manager} is not supported yet; use --env-manager local "
            "(the model then runs with the packages installed in this environment)."
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
    check_env_manager(env_manager)
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
    check_env_manager(env_manager)
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
