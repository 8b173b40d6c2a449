"""Run endpoints: lifecycle, logging, search and the wire details clients rely on."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.server.conftest import Api

pytestmark = pytest.mark.anyio


async def test_create_run_shape(api: Api) -> None:
    body = await api.post(
        "/runs/create",
        {
            "experiment_id": "0",
            "run_name": "r1",
            "start_time": 1700000000000,
            "tags": [{"key": "a", "value": "b"}],
        },
    )
    info = body["run"]["info"]
    assert info["run_uuid"] == info["run_id"]
    assert info["user_id"] == ""
    assert info["status"] == "RUNNING"
    assert info["start_time"] == 1700000000000
    assert "end_time" not in info
    assert info["artifact_uri"] == f"mlflow-artifacts:/0/{info['run_id']}/artifacts"
    tags = {t["key"]: t["value"] for t in body["run"]["data"]["tags"]}
    assert tags == {"a": "b", "mlflow.runName": "r1"}
    assert body["run"]["inputs"] == {}


async def test_log_metric_param_tag_and_read_back(api: Api) -> None:
    run_id = await api.new_run()
    await api.post(
        "/runs/log-metric", {"run_id": run_id, "key": "m", "value": 1.5, "timestamp": 5, "step": 2}
    )
    await api.post(
        "/runs/log-metric", {"run_uuid": run_id, "key": "n", "value": "NaN", "timestamp": 6}
    )
    await api.post(
        "/runs/log-metric", {"run_id": run_id, "key": "i", "value": "-Infinity", "timestamp": 6}
    )
    await api.post("/runs/log-parameter", {"run_id": run_id, "key": "p", "value": ""})
    await api.post("/runs/set-tag", {"run_id": run_id, "key": "t", "value": "v"})
    data = (await api.get("/runs/get", run_id=run_id))["run"]["data"]
    metrics = {m["key"]: m for m in data["metrics"]}
    assert metrics["m"] == {"key": "m", "value": 1.5, "timestamp": 5, "step": 2}
    assert metrics["n"]["value"] == "NaN"
    assert metrics["i"]["value"] == "-Infinity"
    assert data["params"] == [{"key": "p", "value": ""}]
    assert {"key": "t", "value": "v"} in data["tags"]
    await api.post("/runs/delete-tag", {"run_id": run_id, "key": "t"})
    data = (await api.get("/runs/get", run_uuid=run_id))["run"]["data"]
    assert {"key": "t", "value": "v"} not in data["tags"]


async def test_changing_a_param_is_refused_and_stores_nothing(api: Api) -> None:
    run_id = await api.new_run()
    await api.post("/runs/log-batch", {"run_id": run_id, "params": [{"key": "p", "value": "1"}]})
    response = await api.client.post(
        "/api/2.0/mlflow/runs/log-batch",
        json={
            "run_id": run_id,
            "metrics": [{"key": "ok", "value": 1, "timestamp": 1}],
            "params": [{"key": "p", "value": "2"}],
        },
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    data = (await api.get("/runs/get", run_id=run_id))["run"]["data"]
    assert "metrics" not in data  # the batch was all or nothing


async def test_log_batch_limits(api: Api) -> None:
    run_id = await api.new_run()
    params = [{"key": f"k{i}", "value": "x"} for i in range(101)]
    response = await api.client.post(
        "/api/2.0/mlflow/runs/log-batch", json={"run_id": run_id, "params": params}
    )
    assert response.status_code == 400
    assert "100 params" in response.json()["message"]


async def test_update_delete_restore(api: Api) -> None:
    run_id = await api.new_run(run_name="before")
    info = (
        await api.post(
            "/runs/update",
            {
                "run_id": run_id,
                "status": "FINISHED",
                "end_time": 1700000001000,
                "run_name": "after",
            },
        )
    )["run_info"]
    assert (info["status"], info["end_time"], info["run_name"]) == (
        "FINISHED",
        1700000001000,
        "after",
    )
    await api.post("/runs/delete", {"run_id": run_id})
    assert (await api.get("/runs/get", run_id=run_id))["run"]["info"][
        "lifecycle_stage"
    ] == "deleted"
    await api.post("/runs/restore", {"run_id": run_id})
    assert (await api.get("/runs/get", run_id=run_id))["run"]["info"]["lifecycle_stage"] == "active"


async def test_search_runs_filters_orders_and_pages(api: Api) -> None:
    for i in range(3):
        run_id = await api.new_run(run_name=f"r{i}")
        await api.post(
            "/runs/log-metric", {"run_id": run_id, "key": "acc", "value": i / 10, "timestamp": 1}
        )
    first = await api.post(
        "/runs/search",
        {
            "experiment_ids": ["0"],
            "filter": "metrics.acc >= 0.1",
            "order_by": ["metrics.acc DESC"],
            "max_results": 1,
        },
    )
    assert [r["info"]["run_name"] for r in first["runs"]] == ["r2"]
    second = await api.post(
        "/runs/search",
        {
            "experiment_ids": ["0"],
            "filter": "metrics.acc >= 0.1",
            "order_by": ["metrics.acc DESC"],
            "max_results": 1,
            "page_token": first["next_page_token"],
        },
    )
    assert [r["info"]["run_name"] for r in second["runs"]] == ["r1"]
    bad = await api.client.post(
        "/api/2.0/mlflow/runs/search",
        json={"experiment_ids": ["0"], "filter": "metrics.a >"},
    )
    assert bad.status_code == 400
    assert bad.json()["error_code"] == "INVALID_PARAMETER_VALUE"


async def test_inputs_and_outputs(api: Api) -> None:
    run_id = await api.new_run()
    dataset = {
        "name": "d",
        "digest": "abc",
        "source_type": "local",
        "source": "{}",
        "profile": '{"rows": 2}',
    }
    await api.post(
        "/runs/log-inputs",
        {
            "run_id": run_id,
            "datasets": [
                {"dataset": dataset, "tags": [{"key": "mlflow.data.context", "value": "train"}]}
            ],
        },
    )
    model_id = (await api.post("/logged-models", {"experiment_id": "0", "name": "m"}))["model"][
        "info"
    ]["model_id"]
    await api.post(
        "/runs/outputs", {"run_id": run_id, "models": [{"model_id": model_id, "step": 3}]}
    )
    run = (await api.get("/runs/get", run_id=run_id))["run"]
    dataset_input = run["inputs"]["dataset_inputs"][0]
    assert dataset_input["dataset"]["profile"] == '{"rows": 2}'
    assert dataset_input["tags"] == [{"key": "mlflow.data.context", "value": "train"}]
    assert run["outputs"]["model_outputs"] == [{"model_id": model_id, "step": 3}]


async def test_log_model_appends_to_the_history_tag(api: Api) -> None:
    run_id = await api.new_run()
    model = {
        "artifact_path": "model",
        "run_id": run_id,
        "utc_time_created": "2024-01-01 00:00:00.000000",
        "flavors": {"sklearn": {"config": {"big": 1}, "pickled_model": "model.pkl"}},
        "signature": {"inputs": "[]"},
    }
    for _ in range(2):
        await api.post("/runs/log-model", {"run_id": run_id, "model_json": json.dumps(model)})
    tags = {
        t["key"]: t["value"]
        for t in (await api.get("/runs/get", run_id=run_id))["run"]["data"]["tags"]
    }
    history = json.loads(tags["mlflow.log-model.history"])
    assert len(history) == 2
    assert history[0]["flavors"] == {"sklearn": {"pickled_model": "model.pkl"}}
    assert "signature" not in history[0]
    bad = await api.client.post(
        "/api/2.0/mlflow/runs/log-model", json={"run_id": run_id, "model_json": '{"x": 1}'}
    )
    assert bad.status_code == 400
    assert "mandatory fields" in bad.json()["message"]


async def test_unknown_run_is_404(api: Api) -> None:
    response = await api.client.get("/api/2.0/mlflow/runs/get", params={"run_id": "nope"})
    assert response.status_code == 404
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
