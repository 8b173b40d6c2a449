"""One error shape everywhere: every route answers a bad request with MLflow's error JSON."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from starlette.routing import Mount, Route

from mltrail.errors import ErrorCode
from mltrail.server.app import create_app
from mltrail.server.settings import ServerSettings

pytestmark = pytest.mark.anyio

NEVER_FAIL = {
    "/",
    "/favicon.ico",
    "/health",
    "/ready",
    "/version",
    "/api/3.0/mlflow/server-info",
    "/ajax-api/3.0/mlflow/server-info",
}


def assert_error_shape(response: httpx.Response, status: int | None = None) -> dict[str, str]:
    assert response.status_code >= 400, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] in ErrorCode.__members__
    assert ErrorCode[body["error_code"]].http_status == response.status_code or status in (405, 413)
    assert "Traceback" not in body["message"]
    return dict(body)


def every_route(settings: ServerSettings) -> list[tuple[str, str]]:
    app = create_app(settings)
    found: list[tuple[str, str]] = []
    for route in app.routes:
        assert isinstance(route, Route | Mount)
        if isinstance(route, Route) and route.path not in NEVER_FAIL:
            found += [
                (method, route.path) for method in sorted(route.methods or ()) if method != "HEAD"
            ]
    app.state.context.tracking.close()
    return found


def bad_request(method: str, path: str) -> tuple[str, dict[str, object]]:
    """A request `path` must refuse: a traversal for artifact paths, junk everywhere else."""
    url = path.replace("{artifact_path:path}", "%2e%2e/%2e%2e/etc/passwd").replace(
        "{model_id}", "m-missing"
    )
    url = url.replace("{tag_key}", "k")
    if method == "GET":
        return url, {"params": {"max_results": "not-a-number", "path": "../../etc"}}
    if "mlflow-artifacts" in path:
        return url, {"content": b"x"}
    return url, {"content": b"[1, 2]", "headers": {"content-type": "application/json"}}


async def test_every_route_answers_bad_requests_with_error_json(
    client: httpx.AsyncClient, settings: ServerSettings
) -> None:
    routes = every_route(settings)
    assert len(routes) > 60
    for method, path in routes:
        url, kwargs = bad_request(method, path)
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
        body = assert_error_shape(response)
        assert response.status_code in (400, 404), (method, path, body)


async def test_unknown_api_route_is_endpoint_not_found(client: httpx.AsyncClient) -> None:
    for path in ("/api/2.0/mlflow/nope", "/ajax-api/2.0/mlflow/runs/nope", "/api/9.9/x"):
        body = assert_error_shape(await client.get(path), 404)
        assert body["error_code"] == "ENDPOINT_NOT_FOUND"


async def test_wrong_verb_is_405_json(client: httpx.AsyncClient) -> None:
    assert_error_shape(await client.get("/api/2.0/mlflow/experiments/create"), 405)


async def test_malformed_json_is_malformed_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/2.0/mlflow/experiments/create",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert assert_error_shape(response, 400)["error_code"] == "MALFORMED_REQUEST"


@pytest.mark.parametrize(
    ("headers", "needle"),
    [({}, "Content-Type header is missing"), ({"content-type": "text/plain"}, "application/json")],
)
async def test_posts_must_be_json(
    client: httpx.AsyncClient, headers: dict[str, str], needle: str
) -> None:
    response = await client.post(
        "/api/2.0/mlflow/experiments/create", content=b'{"name": "x"}', headers=headers
    )
    body = assert_error_shape(response, 400)
    assert needle in body["message"]
    listed = await client.post("/api/2.0/mlflow/experiments/search", json={"filter": "name = 'x'"})
    assert listed.json() == {}  # nothing was created


async def test_request_bodies_are_bounded(tmp_path: Path, make_client: object) -> None:
    settings = ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'm.db'}",
        artifacts_destination=str(tmp_path / "a"),
        max_request_bytes=1000,
    )
    app = create_app(settings)
    async with make_client(app) as client:  # type: ignore[operator]
        big = {"name": "x" * 2000}
        response = await client.post("/api/2.0/mlflow/experiments/create", json=big)
        assert_error_shape(response, 413)
        # Streamed artifact uploads are not bounded by the JSON limit.
        upload = await client.put(
            "/api/2.0/mlflow-artifacts/artifacts/0/big.bin", content=b"x" * 5000
        )
        assert upload.status_code == 200
    app.state.context.tracking.close()


async def test_internal_errors_hide_details(
    client: httpx.AsyncClient, settings: ServerSettings
) -> None:
    run = await client.post("/api/2.0/mlflow/runs/create", json={"experiment_id": "0"})
    run_id = run.json()["run"]["info"]["run_id"]
    db_path = settings.backend_store_uri.removeprefix("sqlite:///")
    with sqlite3.connect(db_path) as conn:  # break the database under the server
        conn.execute("DROP TABLE params")
    response = await client.post(
        "/api/2.0/mlflow/runs/log-parameter", json={"run_id": run_id, "key": "p", "value": "1"}
    )
    body = assert_error_shape(response, 500)
    assert body["error_code"] == "INTERNAL_ERROR"
    assert db_path not in body["message"]
    assert "params" not in body["message"]
