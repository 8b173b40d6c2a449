"""An in-process server per test: the real app on a fresh SQLite store, called through ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mltrail.server.app import create_app
from mltrail.server.settings import ServerSettings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:
    return ServerSettings(
        backend_store_uri=f"sqlite:///{tmp_path / 'mltrail.db'}",
        artifacts_destination=str(tmp_path / "mlartifacts"),
    )


@pytest.fixture
def make_client() -> Callable[[Starlette], httpx.AsyncClient]:
    def make(app: Starlette) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url="http://localhost:5000")

    return make


@pytest.fixture
async def client(
    settings: ServerSettings, make_client: Callable[[Starlette], httpx.AsyncClient]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with make_client(app) as c:
        yield c
    app.state.context.tracking.close()


API = "/api/2.0/mlflow"


class Api:
    """Shorthands for calling the API and asserting success."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(method, API + path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        return await self.call("POST", path, json=body)

    async def get(self, route: str, /, **params: Any) -> Any:
        return await self.call("GET", route, params=params)

    async def new_run(self, experiment_id: str = "0", **fields: Any) -> str:
        body = await self.post("/runs/create", {"experiment_id": experiment_id, **fields})
        run_id: str = body["run"]["info"]["run_id"]
        return run_id


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)
