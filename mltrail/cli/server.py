"""`mltrail server` and `mltrail ui`: MLflow's tracking-server options, served by uvicorn.

The command resolves every option into one `ServerSettings`, seeds sample data if asked, and
hands the settings to uvicorn's worker processes as one JSON environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from mltrail.server.settings import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_CORS_ORIGINS,
    SETTINGS_ENV_VAR,
    ServerSettings,
)
from mltrail.store.uri import DEFAULT_ARTIFACTS_DIR, default_tracking_uri, scheme_of

APP_FACTORY = "mltrail.server.app:app_from_env"


def _absolute(location: str | None) -> str | None:
    """Local paths become absolute, so workers and stored locations don't depend on cwd."""
    if not location or scheme_of(location) not in ("", "file"):
        return location
    path = location.removeprefix("file://") if location.startswith("file://") else location
    return str(Path(path).expanduser().resolve())


def _split(values: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if values is None:
        return default
    return tuple(v.strip() for v in values.split(",") if v.strip())


def build_settings(
    *,
    backend_store_uri: str | None,
    registry_store_uri: str | None,
    default_artifact_root: str | None,
    artifacts_destination: str | None,
    serve_artifacts: bool,
    artifacts_only: bool,
    allowed_hosts: str | None,
    cors_allowed_origins: str | None,
    x_frame_options: str,
    disable_security_middleware: bool,
    static_prefix: str,
    dev: bool,
) -> ServerSettings:
    if artifacts_only and not serve_artifacts:
        raise click.UsageError("--artifacts-only requires serving artifacts.")
    serving = serve_artifacts or artifacts_only
    root = _absolute(default_artifact_root)
    if root is None and not serving:
        root = _absolute(DEFAULT_ARTIFACTS_DIR)
    open_all = disable_security_middleware
    frame = None if open_all or x_frame_options.upper() == "NONE" else x_frame_options.upper()
    return ServerSettings(
        backend_store_uri=backend_store_uri or default_tracking_uri(),
        registry_store_uri=registry_store_uri,
        default_artifact_root=root,
        artifacts_destination=_absolute(artifacts_destination or DEFAULT_ARTIFACTS_DIR),
        serve_artifacts=serving,
        artifacts_only=artifacts_only,
        allowed_hosts=("*",) if open_all else _split(allowed_hosts, DEFAULT_ALLOWED_HOSTS),
        cors_allowed_origins=(
            ("*",) if open_all else _split(cors_allowed_origins, DEFAULT_CORS_ORIGINS)
        ),
        x_frame_options=frame,
        static_prefix=static_prefix.rstrip("/"),
        dev=dev,
    )


def run_server(
    settings: ServerSettings, host: str, port: int, workers: int, sample_data: bool
) -> None:
    """Prepare the store once in this process, then start uvicorn on the app factory."""
    import uvicorn

    if not settings.artifacts_only:
        from mltrail.server.sample_data import prepare_store

        prepare_store(settings, sample_data=sample_data)
    os.environ[SETTINGS_ENV_VAR] = settings.to_json()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "factory": True,
        "access_log": settings.dev,
        "log_level": "debug" if settings.dev else "info",
        "timeout_keep_alive": 30,
    }
    if settings.dev:
        options["reload"] = True
    elif workers > 1:
        options["workers"] = workers
    click.echo(f"mltrail server on http://{host}:{port} (backend: {_shown(settings)})")
    uvicorn.run(APP_FACTORY, **options)


def _shown(settings: ServerSettings) -> str:
    """The backend URI without its password."""
    uri = settings.backend_store_uri
    if "@" in uri and "://" in uri:
        scheme, rest = uri.split("://", 1)
        credentials, location = rest.rsplit("@", 1)
        uri = f"{scheme}://{credentials.split(':', 1)[0]}:***@{location}"
    return uri


SERVER_OPTIONS = [
    click.option(
        "--backend-store-uri",
        metavar="URI",
        help="Where runs are stored (default: ./mltrail.db).",
    ),
    click.option(
        "--registry-store-uri",
        metavar="URI",
        help="Model registry store (default: the backend store).",
    ),
    click.option(
        "--default-artifact-root",
        metavar="URI",
        help="Artifact root for new experiments (default: the artifact proxy).",
    ),
    click.option(
        "--artifacts-destination",
        metavar="URI",
        help="Where proxied artifacts are stored (default: ./mlartifacts).",
    ),
    click.option(
        "--serve-artifacts/--no-serve-artifacts",
        default=True,
        show_default=True,
        help="Proxy artifact uploads and downloads through this server.",
    ),
    click.option(
        "--artifacts-only", is_flag=True, help="Serve only the artifact proxy, no tracking API."
    ),
    click.option("-h", "--host", default="127.0.0.1", show_default=True, help="Interface to bind."),
    click.option(
        "-p", "--port", default=5000, show_default=True, type=int, help="Port to listen on."
    ),
    click.option(
        "-w",
        "--workers",
        default=1,
        show_default=True,
        type=click.IntRange(min=1),
        help="Worker processes.",
    ),
    click.option("--static-prefix", default="", help="URL prefix for every route, e.g. /mltrail."),
    click.option(
        "--allowed-hosts",
        metavar="LIST",
        help="Comma-separated Host headers to accept, '*' wildcards "
        "(default: localhost and private IPs).",
    ),
    click.option(
        "--cors-allowed-origins",
        metavar="LIST",
        help="Comma-separated CORS origins (default: http://localhost:*, http://127.0.0.1:*, http://[::1]:*).",
    ),
    click.option(
        "--x-frame-options",
        default="SAMEORIGIN",
        show_default=True,
        help="X-Frame-Options value; NONE omits the header.",
    ),
    click.option(
        "--disable-security-middleware",
        is_flag=True,
        help="DANGEROUS: accept any Host and any CORS origin.",
    ),
    click.option("--dev", is_flag=True, help="Debug logging and auto-reload (development only)."),
    click.option(
        "--sample-data", is_flag=True, help="Seed a sample experiment when the store is empty."
    ),
]


def server_options(command: Any) -> Any:
    """Apply the options shared by `server` and `ui` (declared once, above)."""
    for option in reversed(SERVER_OPTIONS):
        command = option(command)
    return command


def _start(host: str, port: int, workers: int, sample_data: bool, **options: Any) -> None:
    settings = build_settings(**options)
    run_server(settings, host, port, workers, sample_data)


@click.command("server")
@server_options
def server(**options: Any) -> None:
    """Run the tracking server: MLflow's REST API, the artifact proxy and the UI."""
    _start(**options)


@click.command("ui")
@server_options
def ui(**options: Any) -> None:
    """Run the tracking server on the embedded default store (./mltrail.db)."""
    _start(**options)


if __name__ == "__main__":  # `python -m mltrail.cli.server` works without the CLI group
    server()
