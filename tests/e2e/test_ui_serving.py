"""How the server serves the UI: the built app, the how-to-build page, a URL prefix, and the
UI-only artifact endpoint's guards."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from starlette.applications import Starlette

from mltrail.server import ui
from tests.e2e.conftest import UiServer, start_server, stop


def test_missing_build_says_how_to_build(tmp_path: Path) -> None:
    assert not ui.built(tmp_path)
    app = Starlette(routes=ui.routes(tmp_path))

    async def fetch() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get("/"), await client.get("/assets/index.js")

    # Playwright's sync API keeps an event loop in this thread: run ours in another.
    with ThreadPoolExecutor(1) as pool:
        home, asset = pool.submit(asyncio.run, fetch()).result()
    assert home.status_code == 200
    assert "scripts/build-ui" in home.text
    assert asset.status_code == 404


def test_built_index_is_served_uncached(ui_server: UiServer) -> None:
    home = httpx.get(ui_server.url)
    assert home.status_code == 200
    assert home.headers["cache-control"] == "no-cache"
    assert '<div id="root">' in home.text
    asset = home.text.split('src="./', 1)[1].split('"', 1)[0]
    script = httpx.get(ui_server.url + asset)
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


def test_ui_artifact_endpoint(ui_server: UiServer) -> None:
    endpoint = f"{ui_server.url}ajax-api/2.0/mltrail/ui/artifact"
    run_id = ui_server.ids["alpha"]
    csv = httpx.get(endpoint, params={"run_id": run_id, "path": "predictions.csv"})
    assert csv.status_code == 200
    assert csv.text.startswith("id,label,note")
    page = httpx.get(endpoint, params={"run_id": run_id, "path": "page.html"})
    assert page.headers["content-type"].startswith("text/plain")
    assert "sandbox" in page.headers["content-security-policy"]
    assert httpx.get(endpoint, params={"run_id": run_id, "path": "../x"}).status_code == 400
    assert httpx.get(endpoint, params={"run_id": run_id}).status_code == 400
    missing = httpx.get(endpoint, params={"run_id": run_id, "path": "nope.txt"})
    assert missing.status_code == 404


def test_static_prefix(page: Page, ui_server: UiServer, tmp_path: Path) -> None:
    process, url = start_server(tmp_path, ui_server.db_uri, prefix="/mltrail")
    try:
        assert url.endswith("/mltrail/")
        assert httpx.get(url.rstrip("/") + "/health").text == "OK"
        page.goto(url)
        page.get_by_role("link", name="ui-demo").click()
        expect(page.get_by_test_id("run-count")).to_have_text("5 runs")
        assert page.url.startswith(url)
    finally:
        stop(process)
