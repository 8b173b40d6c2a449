"""UI-only reads under ``/ajax-api/2.0/mltrail/ui/``: what the web UI needs beyond the REST API.

`artifact` streams one file of a run's artifacts, wherever the run keeps them, so the
artifact browser can preview images, text and tables. Types a browser would execute
(HTML, SVG, scripts) go out as plain text under a sandbox CSP, never as a live page.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from mltrail.errors import InvalidParameter
from mltrail.server.artifact_locations import join, safe_relative_path
from mltrail.server.artifacts_proxy import _media_type, _open_stream
from mltrail.server.endpoint import context_of, guarded

PREVIEW_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=60",
}


async def run_artifact(request: Request) -> Response:
    run_id = request.query_params.get("run_id") or request.query_params.get("run_uuid")
    path = safe_relative_path(request.query_params.get("path"))
    if not run_id or not path:
        raise InvalidParameter("Both 'run_id' and 'path' are required.")
    ctx = context_of(request)

    def open_file() -> StreamingResponse:
        run = ctx.tracking.get_run(run_id)
        repo, base = ctx.artifacts.open(run.info.artifact_uri)
        chunks = _open_stream(repo, join(base, path))
        return StreamingResponse(chunks, media_type=_media_type(path), headers=PREVIEW_HEADERS)

    return await run_in_threadpool(open_file)


routes: list[BaseRoute] = [
    Route(f"{prefix}/2.0/mltrail/ui/artifact", guarded(run_artifact), methods=["GET"])
    for prefix in ("/ajax-api",)
]
