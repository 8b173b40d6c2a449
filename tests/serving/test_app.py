"""The scoring app in process (httpx over ASGI): routes, params, errors and the timeout."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import mltrail
from mltrail.models.model import Model
from mltrail.pyfunc import PyFuncModel
from mltrail.serving import create_scoring_app

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def client_for(model: str | PyFuncModel, timeout: float = 60) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_scoring_app(model, timeout))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:5000")


@pytest.fixture
async def client(params_model: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(str(params_model)) as c:
        yield c


async def test_health_ping_and_version(client: httpx.AsyncClient) -> None:
    for route in ("/ping", "/health"):
        response = await client.get(route)
        assert (response.status_code, response.content) == (200, b"\n")
    version = await client.get("/version")
    assert version.status_code == 200
    assert version.text == mltrail.__version__


async def test_params_reach_the_model_and_defaults_fill_in(client: httpx.AsyncClient) -> None:
    rows = {"dataframe_records": [{"x": 1.0}, {"x": 2.5}]}
    scaled = await client.post("/invocations", json={**rows, "params": {"factor": 3}})
    assert scaled.json() == {"predictions": [{"x": 3.0}, {"x": 7.5}]}
    default = await client.post("/invocations", json=rows)
    assert default.json() == {"predictions": [{"x": 2.0}, {"x": 5.0}]}


async def test_a_param_of_the_wrong_type_is_invalid(client: httpx.AsyncClient) -> None:
    body = {"dataframe_records": [{"x": 1.0}], "params": {"factor": "big"}}
    response = await client.post("/invocations", json=body)
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "factor" in response.json()["message"]


async def test_unknown_routes_and_methods_are_mlflow_errors(client: httpx.AsyncClient) -> None:
    missing = await client.get("/nope")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "ENDPOINT_NOT_FOUND"
    assert (await client.get("/invocations")).status_code == 405


class Blocking:
    """A model whose predict waits until the test releases it (or fails if it never does)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def predict(self, data: Any) -> Any:
        if not self.release.wait(timeout=30):
            raise RuntimeError("never released")
        return [1]


@pytest.fixture
def blocking() -> Iterator[Blocking]:
    model = Blocking()
    yield model
    model.release.set()


async def test_a_prediction_past_the_timeout_is_a_504(blocking: Blocking) -> None:
    async with client_for(PyFuncModel(Model(), blocking), timeout=0.2) as c:
        response = await c.post("/invocations", json={"inputs": [1]})
    assert response.status_code == 504
    assert response.json()["error_code"] == "DEADLINE_EXCEEDED"
    assert "timeout of 0.2 s" in response.json()["message"]


class Failing:
    def predict(self, data: Any) -> Any:
        raise ValueError("the model cannot take strings")


async def test_a_model_failure_is_a_bad_request_naming_the_error() -> None:
    async with client_for(PyFuncModel(Model(), Failing())) as c:
        response = await c.post("/invocations", json={"inputs": ["x"]})
    assert response.status_code == 400
    assert response.json()["error_code"] == "BAD_REQUEST"
    assert "ValueError: the model cannot take strings" in response.json()["message"]
