"""The per-request shortcuts keep behaviour: remembered routes, small writes on the event loop."""

from __future__ import annotations

import httpx
import pytest

from mltrail.server.routes.runs import SMALL_BATCH
from tests.server.conftest import API, Api

pytestmark = pytest.mark.anyio


async def test_remembered_route_still_refuses_other_verbs(
    api: Api, client: httpx.AsyncClient
) -> None:
    run_id = await api.new_run()
    body = {"run_id": run_id, "key": "m", "value": 1.0, "timestamp": 1, "step": 0}
    for step in range(3):  # the first call scans the routes, the next ones are remembered
        await api.post("/runs/log-metric", {**body, "step": step})
    wrong_verb = await client.get(API + "/runs/log-metric")
    assert wrong_verb.status_code == 405
    missing = await client.post(API + "/runs/log-metric-typo", json=body)
    assert missing.status_code == 404
    history = await api.get("/metrics/get-history", run_id=run_id, metric_key="m")
    assert [m["step"] for m in history["metrics"]] == [0, 1, 2]


async def test_small_writes_keep_their_error_answers(api: Api, client: httpx.AsyncClient) -> None:
    body = {"key": "m", "value": 1.0, "timestamp": 1}
    unknown = await client.post(API + "/runs/log-metric", json={"run_id": "nope", **body})
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    run_id = await api.new_run()
    await api.post("/runs/delete", {"run_id": run_id})
    deleted = await client.post(API + "/runs/log-batch", json={"run_id": run_id, "metrics": [body]})
    assert deleted.status_code == 400
    assert deleted.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    # The store's kept writer connection is usable after those failed transactions.
    live = await api.new_run()
    await api.post("/runs/log-parameter", {"run_id": live, "key": "p", "value": "v"})
    await api.post("/runs/set-tag", {"run_id": live, "key": "t", "value": "v"})
    changed = await client.post(
        API + "/runs/log-parameter", json={"run_id": live, "key": "p", "value": "other"}
    )
    assert changed.status_code == 400
    run = (await api.get("/runs/get", run_id=live))["run"]
    assert run["data"]["params"] == [{"key": "p", "value": "v"}]


@pytest.mark.parametrize("size", [1, SMALL_BATCH, SMALL_BATCH + 1, 500])
async def test_batches_small_and_large_are_stored_whole(api: Api, size: int) -> None:
    run_id = await api.new_run()
    metrics = [{"key": f"k{i}", "value": float(i), "timestamp": 1, "step": 0} for i in range(size)]
    await api.post("/runs/log-batch", {"run_id": run_id, "metrics": metrics})
    run = (await api.get("/runs/get", run_id=run_id))["run"]
    assert len(run["data"]["metrics"]) == size
