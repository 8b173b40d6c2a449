"""The web UI: the single-page app built from ``ui/`` into ``mltrail/server/static``.

`scripts/build-ui` (or ``pip install .`` when npm is present) writes the build there. Without
it, ``/`` answers with a page saying how to build the UI instead of a bare 404.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"

MISSING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mltrail: UI not built</title></head>
<body style="font-family: sans-serif; max-width: 44em; margin: 3em auto">
<h1>mltrail tracking server</h1>
<p>The REST API is served under <code>/api/2.0/mlflow/</code>. Point any MLflow client here:
<code>mlflow.set_tracking_uri("http://this-host:port")</code>.</p>
<p><strong>The web UI is not built.</strong> From a clone of the repository, run
<code>scripts/build-ui</code> (needs node &ge; 20 and npm), or reinstall with
<code>pip install .</code> on a machine that has npm, then reload this page.</p>
</body></html>
"""
# The index must never be cached: it names the hashed asset files of the current build.
INDEX_HEADERS = {"Cache-Control": "no-cache"}


def built(static_dir: Path = STATIC_DIR) -> bool:
    return (static_dir / "index.html").is_file()


def routes(static_dir: Path = STATIC_DIR) -> list[BaseRoute]:
    """`/` (the app or the how-to-build page) and `/assets/...` (the hashed build files)."""

    async def index(request: Request) -> Response:
        page = static_dir / "index.html"
        if page.is_file():
            return FileResponse(page, media_type="text/html", headers=INDEX_HEADERS)
        return HTMLResponse(MISSING_PAGE, status_code=200)

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    assets_dir = static_dir / "assets"
    files = StaticFiles(directory=assets_dir, check_dir=False)

    async def assets(scope: Scope, receive: Receive, send: Send) -> None:
        # StaticFiles raises on a missing directory; before a build that is just a 404.
        if not assets_dir.is_dir():
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await files(scope, receive, send)

    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/favicon.ico", favicon, methods=["GET", "HEAD"]),
        Mount("/assets", app=assets),
    ]
