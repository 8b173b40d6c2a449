"""The registry endpoints in process: wire shapes, both prefixes, error codes, unsafe sources."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
API = "/api/2.0/mlflow"


async def call(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await client.request(method, API + path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


async def fail(
    client: httpx.AsyncClient, method: str, path: str, status: int, code: str, **kwargs: Any
) -> str:
    response = await client.request(method, API + path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    message: str = body["message"]
    return message


async def test_model_lifecycle_on_the_wire(client: httpx.AsyncClient) -> None:
    created = await call(
        client,
        "POST",
        "/registered-models/create",
        json={"name": "m", "tags": [{"key": "a", "value": "b"}], "description": "d"},
    )
    model = created["registered_model"]
    assert model["name"] == "m"
    assert model["tags"] == [{"key": "a", "value": "b"}]
    assert isinstance(model["creation_timestamp"], int)
    run = await call(client, "POST", "/runs/create", json={"experiment_id": "0"})
    artifact_uri = run["run"]["info"]["artifact_uri"]
    version = (
        await call(
            client,
            "POST",
            "/model-versions/create",
            json={
                "name": "m",
                "source": f"{artifact_uri}/model",
                "run_id": run["run"]["info"]["run_id"],
            },
        )
    )["model_version"]
    assert (version["version"], version["status"], version["current_stage"]) == (
        "1",
        "READY",
        "None",
    )
    await call(
        client, "POST", "/model-versions/create", json={"name": "m", "source": "models:/m/1"}
    )
    moved = await call(
        client,
        "POST",
        "/model-versions/transition-stage",
        json={
            "name": "m",
            "version": "1",
            "stage": "production",
            "archive_existing_versions": False,
        },
    )
    assert moved["model_version"]["current_stage"] == "Production"
    await call(
        client,
        "POST",
        "/registered-models/alias",
        json={"name": "m", "alias": "champ", "version": "2"},
    )
    by_alias = await call(
        client, "GET", "/registered-models/alias", params={"name": "m", "alias": "champ"}
    )
    assert by_alias["model_version"]["aliases"] == ["champ"]
    got = (await call(client, "GET", "/registered-models/get", params={"name": "m"}))[
        "registered_model"
    ]
    assert got["aliases"] == [{"alias": "champ", "version": "2"}]
    assert [v["version"] for v in got["latest_versions"]] == ["1", "2"]
    uri = await call(
        client, "GET", "/model-versions/get-download-uri", params={"name": "m", "version": "2"}
    )
    assert uri == {"artifact_uri": f"{artifact_uri}/model"}
    latest = await call(
        client, "POST", "/registered-models/get-latest-versions", json={"name": "m"}
    )
    # No stages asked: the latest version of every stage, as MLflow answers.
    assert sorted(v["version"] for v in latest["model_versions"]) == ["1", "2"]
    production = await call(
        client,
        "POST",
        "/registered-models/get-latest-versions",
        json={"name": "m", "stages": ["Production", "Staging"]},
    )
    assert [v["version"] for v in production["model_versions"]] == ["1"]
    latest_get = await client.get(
        "/ajax-api/2.0/mlflow/registered-models/get-latest-versions",
        params=[("name", "m"), ("stages", "None")],
    )
    assert [v["version"] for v in latest_get.json()["model_versions"]] == ["2"]


async def test_search_tags_rename_delete(client: httpx.AsyncClient) -> None:
    for name in ("s1", "s2", "s3"):
        await call(client, "POST", "/registered-models/create", json={"name": name})
    page = await call(client, "GET", "/registered-models/search", params={"max_results": 2})
    assert [m["name"] for m in page["registered_models"]] == ["s1", "s2"]
    rest = await call(
        client, "GET", "/registered-models/search", params={"page_token": page["next_page_token"]}
    )
    assert [m["name"] for m in rest["registered_models"]] == ["s3"]
    assert "next_page_token" not in rest
    await call(
        client, "POST", "/registered-models/set-tag", json={"name": "s1", "key": "k", "value": "v"}
    )
    await call(client, "DELETE", "/registered-models/delete-tag", json={"name": "s1", "key": "k"})
    renamed = await call(
        client, "POST", "/registered-models/rename", json={"name": "s1", "new_name": "t1"}
    )
    assert renamed["registered_model"]["name"] == "t1"
    updated = await call(
        client, "PATCH", "/registered-models/update", json={"name": "t1", "description": "x"}
    )
    assert updated["registered_model"]["description"] == "x"
    await call(client, "POST", "/model-versions/create", json={"name": "t1", "source": "s3://b/m"})
    await call(
        client,
        "POST",
        "/model-versions/set-tag",
        json={"name": "t1", "version": "1", "key": "a", "value": "b"},
    )
    found = await call(client, "GET", "/model-versions/search", params={"filter": "tags.a = 'b'"})
    assert [(v["name"], v["version"]) for v in found["model_versions"]] == [("t1", "1")]
    await call(
        client,
        "DELETE",
        "/model-versions/delete-tag",
        json={"name": "t1", "version": "1", "key": "a"},
    )
    await call(
        client,
        "PATCH",
        "/model-versions/update",
        json={"name": "t1", "version": "1", "description": "v"},
    )
    await call(client, "DELETE", "/model-versions/delete", json={"name": "t1", "version": "1"})
    assert await call(client, "DELETE", "/registered-models/delete", json={"name": "t1"}) == {}
    await fail(
        client,
        "GET",
        "/registered-models/get",
        404,
        "RESOURCE_DOES_NOT_EXIST",
        params={"name": "t1"},
    )


async def test_errors_have_mlflow_codes_and_change_nothing(client: httpx.AsyncClient) -> None:
    await call(client, "POST", "/registered-models/create", json={"name": "e"})
    await call(client, "POST", "/model-versions/create", json={"name": "e", "source": "s3://b/m"})
    await fail(
        client,
        "POST",
        "/registered-models/create",
        400,
        "RESOURCE_ALREADY_EXISTS",
        json={"name": "e"},
    )
    await fail(
        client,
        "GET",
        "/model-versions/get",
        404,
        "RESOURCE_DOES_NOT_EXIST",
        params={"name": "e", "version": "5"},
    )
    await fail(
        client,
        "POST",
        "/model-versions/transition-stage",
        400,
        "INVALID_PARAMETER_VALUE",
        json={"name": "e", "version": "1", "stage": "Prod"},
    )
    await fail(
        client,
        "POST",
        "/registered-models/alias",
        400,
        "INVALID_PARAMETER_VALUE",
        json={"name": "e", "alias": "latest", "version": "1"},
    )
    await fail(client, "POST", "/registered-models/create", 400, "INVALID_PARAMETER_VALUE", json={})
    for source in ("/etc/passwd", "file:///tmp/x/../../etc", "s3://b/%2e%2e/x"):
        await fail(
            client,
            "POST",
            "/model-versions/create",
            400,
            "INVALID_PARAMETER_VALUE",
            json={"name": "e", "source": source},
        )
    versions = await call(client, "GET", "/model-versions/search", params={"filter": "name = 'e'"})
    assert [v["version"] for v in versions["model_versions"]] == ["1"]
    got = await call(client, "GET", "/model-versions/get", params={"name": "e", "version": "1"})
    assert got["model_version"]["current_stage"] == "None"
