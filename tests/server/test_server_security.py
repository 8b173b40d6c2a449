"""Host allow-list, CORS, security headers and artifact-location confinement."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from mltrail.server.app import create_app
from mltrail.server.security import Patterns, host_without_port
from mltrail.server.settings import ServerSettings

pytestmark = pytest.mark.anyio

GET_DEFAULT = "/api/2.0/mlflow/experiments/get?experiment_id=0"
CREATE = "/api/2.0/mlflow/experiments/create"


@pytest.mark.parametrize(
    "host",
    ["localhost:5000", "127.0.0.1", "[::1]:5000", "10.1.2.3", "192.168.0.9:80", "172.20.0.1"],
)
async def test_default_hosts_are_local_and_private(client: httpx.AsyncClient, host: str) -> None:
    response = await client.get(GET_DEFAULT, headers={"host": host})
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["evil.com", "172.32.0.1", "8.8.8.8:5000", "localhost.evil.com"])
async def test_other_hosts_are_refused(client: httpx.AsyncClient, host: str) -> None:
    response = await client.get(GET_DEFAULT, headers={"host": host})
    assert response.status_code == 403
    assert "Host" in response.text
    health = await client.get("/health", headers={"host": host})
    assert health.status_code == 200  # load balancers probe with any Host


async def test_configured_hosts_replace_the_defaults(
    tmp_path: Path, make_client: Callable[[Starlette], httpx.AsyncClient]
) -> None:
    settings = ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'm.db'}",
        artifacts_destination=str(tmp_path / "a"),
        allowed_hosts=("mltrail.example.com", "app-*.internal"),
    )
    app = create_app(settings)
    async with make_client(app) as client:
        ok = await client.get(GET_DEFAULT, headers={"host": "app-3.internal:443"})
        assert ok.status_code == 200
        assert (await client.get(GET_DEFAULT, headers={"host": "localhost"})).status_code == 403
    app.state.context.tracking.close()


async def test_security_headers_on_every_response(client: httpx.AsyncClient) -> None:
    for path in (GET_DEFAULT, "/health", "/api/2.0/mlflow/nope"):
        response = await client.get(path)
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_cors_for_allowed_origins(client: httpx.AsyncClient) -> None:
    origin = "http://localhost:3000"
    response = await client.post(CREATE, json={"name": "cors"}, headers={"origin": origin})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"
    preflight = await client.options(
        CREATE,
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]


async def test_cross_origin_writes_from_other_origins_are_blocked(
    client: httpx.AsyncClient,
) -> None:
    evil = {"origin": "http://evil.com"}
    blocked = await client.post(CREATE, json={"name": "x"}, headers=evil)
    assert blocked.status_code == 403
    preflight = await client.options(
        CREATE, headers={**evil, "access-control-request-method": "POST"}
    )
    assert preflight.status_code == 400
    read = await client.get(GET_DEFAULT, headers=evil)
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers
    search = await client.post("/api/2.0/mlflow/experiments/search", json={"filter": "name = 'x'"})
    assert search.json() == {}  # the blocked create stored nothing


async def test_same_origin_ui_requests_are_allowed(client: httpx.AsyncClient) -> None:
    headers = {"host": "10.0.0.5:5000", "origin": "http://10.0.0.5:5000"}
    assert (await client.post(CREATE, json={"name": "ui"}, headers=headers)).status_code == 200


@pytest.mark.parametrize(
    "location", ["/etc", "/tmp/elsewhere", "file:///etc", "s3://bucket/x", "mlflow-artifacts:/../x"]
)
async def test_experiment_locations_must_stay_inside_server_roots(
    client: httpx.AsyncClient, location: str
) -> None:
    response = await client.post(CREATE, json={"name": "outside", "artifact_location": location})
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"


async def test_locations_inside_the_roots_are_accepted(
    client: httpx.AsyncClient, settings: ServerSettings
) -> None:
    inside = f"{settings.artifacts_destination}/team-a"
    for name, location in (("in1", inside), ("in2", "mlflow-artifacts:/team-b")):
        response = await client.post(CREATE, json={"name": name, "artifact_location": location})
        assert response.status_code == 200, response.text


def test_patterns_and_hosts() -> None:
    assert Patterns(["http://localhost:*"]).match("http://LOCALHOST:8080")
    assert not Patterns(["http://localhost:*"]).match("http://localhost.evil.com")
    assert Patterns(["*"]).match("anything")
    assert host_without_port("[::1]:80") == "[::1]"
    assert host_without_port("example.com:80") == "example.com"
