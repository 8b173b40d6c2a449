"""Experiment endpoints answer with MLflow's shapes, under /api and /ajax-api alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from tests.server.conftest import Api

pytestmark = pytest.mark.anyio


async def test_default_experiment_points_at_the_artifact_proxy(api: Api) -> None:
    experiment = (await api.get("/experiments/get", experiment_id="0"))["experiment"]
    assert experiment["name"] == "Default"
    assert experiment["artifact_location"] == "mlflow-artifacts:/0"
    assert experiment["lifecycle_stage"] == "active"
    assert isinstance(experiment["creation_time"], int)


async def test_create_get_by_name_and_tags(api: Api) -> None:
    created = await api.post(
        "/experiments/create", {"name": "e1", "tags": [{"key": "team", "value": "ml"}]}
    )
    experiment_id = created["experiment_id"]
    assert isinstance(experiment_id, str)
    found = (await api.get("/experiments/get-by-name", experiment_name="e1"))["experiment"]
    assert found["experiment_id"] == experiment_id
    assert found["artifact_location"] == f"mlflow-artifacts:/{experiment_id}"
    assert found["tags"] == [{"key": "team", "value": "ml"}]

    await api.post(
        "/experiments/set-experiment-tag",
        {"experiment_id": experiment_id, "key": "k", "value": "v"},
    )
    await api.post(
        "/experiments/delete-experiment-tag", {"experiment_id": experiment_id, "key": "team"}
    )
    tags = (await api.get("/experiments/get", experiment_id=experiment_id))["experiment"]["tags"]
    assert tags == [{"key": "k", "value": "v"}]


async def test_rename_delete_restore(api: Api) -> None:
    experiment_id = (await api.post("/experiments/create", {"name": "old"}))["experiment_id"]
    assert (
        await api.post("/experiments/update", {"experiment_id": experiment_id, "new_name": "new"})
        == {}
    )
    assert await api.post("/experiments/delete", {"experiment_id": experiment_id}) == {}
    experiment = (await api.get("/experiments/get", experiment_id=experiment_id))["experiment"]
    assert (experiment["name"], experiment["lifecycle_stage"]) == ("new", "deleted")
    await api.post("/experiments/restore", {"experiment_id": experiment_id})
    experiment = (await api.get("/experiments/get", experiment_id=experiment_id))["experiment"]
    assert experiment["lifecycle_stage"] == "active"


async def test_search_pages_filters_and_orders_via_get_and_post(api: Api) -> None:
    for name in ("a", "b", "c"):
        await api.post("/experiments/create", {"name": name})
    first = await api.get("/experiments/search", max_results=2, order_by="name ASC")
    assert [e["name"] for e in first["experiments"]] == ["Default", "a"]
    rest = await api.post(
        "/experiments/search",
        {"max_results": 2, "order_by": ["name ASC"], "page_token": first["next_page_token"]},
    )
    assert [e["name"] for e in rest["experiments"]] == ["b", "c"]
    assert "next_page_token" not in rest
    filtered = await api.post("/experiments/search", {"filter": "name = 'b'", "view_type": "ALL"})
    assert [e["name"] for e in filtered["experiments"]] == ["b"]
    none = await api.post("/experiments/search", {"filter": "name = 'zzz'"})
    assert none == {}


async def test_ajax_api_mirrors_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/ajax-api/2.0/mlflow/experiments/get", params={"experiment_id": "0"}
    )
    assert response.status_code == 200
    assert response.json()["experiment"]["name"] == "Default"


async def test_duplicate_name_is_resource_already_exists_without_sql(api: Api) -> None:
    await api.post("/experiments/create", {"name": "dup"})
    response = await api.client.post("/api/2.0/mlflow/experiments/create", json={"name": "dup"})
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "RESOURCE_ALREADY_EXISTS"
    assert "INSERT" not in body["message"]
    assert "sqlite" not in body["message"].lower()


async def test_missing_experiment_is_404(api: Api) -> None:
    response = await api.client.get(
        "/api/2.0/mlflow/experiments/get", params={"experiment_id": "99"}
    )
    assert response.status_code == 404
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    by_name = await api.client.get(
        "/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": "nope"}
    )
    assert by_name.status_code == 404
