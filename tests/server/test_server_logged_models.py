"""Logged models (MLflow 3): the lifecycle `log_model` drives, plus search, tags and params."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.server.conftest import Api

pytestmark = pytest.mark.anyio


async def create_model(api: Api, **fields: object) -> dict[str, object]:
    body = await api.post("/logged-models", {"experiment_id": "0", **fields})
    model: dict[str, object] = body["model"]
    return model


async def test_create_finalize_get(api: Api) -> None:
    run_id = await api.new_run()
    model = await create_model(
        api,
        name="clf",
        source_run_id=run_id,
        model_type="sk",
        params=[{"key": "alpha", "value": "1"}],
        tags=[{"key": "t", "value": "v"}],
    )
    info = model["info"]
    assert isinstance(info, dict)
    model_id = info["model_id"]
    assert model_id.startswith("m-")
    assert info["status"] == "LOGGED_MODEL_PENDING"
    assert info["artifact_uri"] == f"mlflow-artifacts:/0/models/{model_id}/artifacts"
    assert model["data"] == {"params": [{"key": "alpha", "value": "1"}]}
    finalized = await api.call(
        "PATCH",
        f"/logged-models/{model_id}",
        json={"model_id": model_id, "status": "LOGGED_MODEL_READY"},
    )
    assert finalized["model"]["info"]["status"] == "LOGGED_MODEL_READY"
    got = await api.get(f"/logged-models/{model_id}")
    assert got["model"]["info"]["status"] == "LOGGED_MODEL_READY"
    assert got["model"]["info"]["source_run_id"] == run_id


async def test_tags_params_delete(api: Api) -> None:
    model_id = (await create_model(api, name="m"))["info"]["model_id"]  # type: ignore[index]
    await api.call(
        "PATCH", f"/logged-models/{model_id}/tags", json={"tags": [{"key": "a", "value": "b"}]}
    )
    await api.post(f"/logged-models/{model_id}/params", {"params": [{"key": "p", "value": "1"}]})
    info = (await api.get(f"/logged-models/{model_id}"))["model"]
    assert {"key": "a", "value": "b"} in info["info"]["tags"]
    assert {"key": "p", "value": "1"} in info["data"]["params"]
    await api.call("DELETE", f"/logged-models/{model_id}/tags/a")
    missing_tag = await api.client.delete(f"/api/2.0/mlflow/logged-models/{model_id}/tags/a")
    assert missing_tag.status_code == 404
    await api.call("DELETE", f"/logged-models/{model_id}")
    gone = await api.client.get(f"/api/2.0/mlflow/logged-models/{model_id}")
    assert gone.status_code == 404
    assert gone.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_search_orders_and_pages(api: Api) -> None:
    for name in ("a", "b", "c"):
        await create_model(api, name=name)
    first = await api.post(
        "/logged-models/search",
        {
            "experiment_ids": ["0"],
            "order_by": [{"field_name": "name", "ascending": True}],
            "max_results": 2,
        },
    )
    assert [m["info"]["name"] for m in first["models"]] == ["a", "b"]
    rest = await api.post(
        "/logged-models/search",
        {
            "experiment_ids": ["0"],
            "order_by": [{"field_name": "name", "ascending": True}],
            "max_results": 2,
            "page_token": first["next_page_token"],
        },
    )
    assert [m["info"]["name"] for m in rest["models"]] == ["c"]
    filtered = await api.post(
        "/logged-models/search", {"experiment_ids": ["0"], "filter": "name = 'b'"}
    )
    assert [m["info"]["name"] for m in filtered["models"]] == ["b"]
