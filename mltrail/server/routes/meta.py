"""Liveness, readiness, version, the capabilities the client probes, and the home page.

``/health`` says the process answers (a load balancer's liveness probe); ``/ready`` also
checks that the database answers within a few seconds, and is 503 when it does not, so a
balancer stops sending traffic to a worker that cannot serve it.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from mltrail.server.artifacts_proxy import PresignedTransfers
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import API_PREFIXES, context_of, json_response

READY_TIMEOUT_S = 5.0
_log = logging.getLogger(__name__)

HOME_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mltrail</title></head>
<body><h1>mltrail tracking server</h1>
<p>The REST API is served under <code>/api/2.0/mlflow/</code>. Point any MLflow client here:
<code>mlflow.set_tracking_uri("http://this-host:port")</code>.</p></body></html>
"""


def server_version() -> str:
    try:
        return version("mltrail")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


async def health(request: Request) -> Response:
    return PlainTextResponse("OK")


async def ready(request: Request) -> Response:
    store = context_of(request).tracking_store
    if store is None:  # an artifacts-only server has no database to wait for
        return json_response({"status": "ready"})
    try:
        with anyio.fail_after(READY_TIMEOUT_S):
            # Abandoned on timeout: a hung connect must not hold the probe's answer.
            await anyio.to_thread.run_sync(_ping_database, store, abandon_on_cancel=True)
    except Exception as exc:
        # The reason goes to the log only: driver messages may name hosts and users.
        _log.warning("Readiness check failed: the database did not answer (%r)", exc)
        body = {"status": "unavailable", "database": f"unreachable ({type(exc).__name__})"}
        return json_response(body, status=503)
    return json_response({"status": "ready", "database": "ok"})


def _ping_database(store: Any) -> None:
    """One round trip through the store's pool; a store without an engine has nothing to ping."""
    engine = getattr(store, "engine", None)
    if engine is None:
        return
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _presigned_transfers(context: ServerContext) -> bool:
    """Can clients move large files straight to the proxy destination (S3 presigned URLs)?"""
    if context.artifacts.destination is None:
        return False
    return isinstance(context.artifacts.proxy(), PresignedTransfers)


async def server_version_text(request: Request) -> Response:
    return PlainTextResponse(server_version())


async def server_info(request: Request) -> Response:
    context = context_of(request)
    settings = context.settings
    presigned = _presigned_transfers(context)
    return json_response(
        {
            "store_type": "SqlStore" if not settings.artifacts_only else "ArtifactsOnly",
            "workspaces_enabled": False,
            "trace_archival_enabled": False,
            "multipart_uploads_enabled": presigned,
            "multipart_downloads_enabled": presigned,
            "artifact_serving_enabled": settings.serve_artifacts or settings.artifacts_only,
            "presigned_upload_run_id_supported": False,
            "presigned_upload_model_id_supported": False,
            "model_artifact_presigned_downloads_supported": False,
            "features_enabled": {"gateway": False},
            "tracking_auth": "",
            "artifacts_presigned_only": False,
        }
    )


async def home(request: Request) -> Response:
    return HTMLResponse(HOME_PAGE)


routes: list[BaseRoute] = [
    Route("/health", health, methods=["GET"]),
    Route("/ready", ready, methods=["GET"]),
    Route("/version", server_version_text, methods=["GET"]),
    Route("/", home, methods=["GET"]),
    *(
        Route(f"{prefix}/3.0/mlflow/server-info", server_info, methods=["GET"])
        for prefix in API_PREFIXES
    ),
]
