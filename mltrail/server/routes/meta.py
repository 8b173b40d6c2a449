"""Liveness, version, the capabilities the client probes, and the placeholder home page."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from mltrail.server.endpoint import API_PREFIXES, context_of, json_response

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


async def server_version_text(request: Request) -> Response:
    return PlainTextResponse(server_version())


async def server_info(request: Request) -> Response:
    settings = context_of(request).settings
    return json_response(
        {
            "store_type": "SqlStore" if not settings.artifacts_only else "ArtifactsOnly",
            "workspaces_enabled": False,
            "trace_archival_enabled": False,
            "multipart_uploads_enabled": False,
            "multipart_downloads_enabled": False,
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
    Route("/version", server_version_text, methods=["GET"]),
    Route("/", home, methods=["GET"]),
    *(
        Route(f"{prefix}/3.0/mlflow/server-info", server_info, methods=["GET"])
        for prefix in API_PREFIXES
    ),
]
