"""The webhook endpoints in process (the real app through ASGI, a SQLite store) and the events
the registry endpoints fire, delivered by the app's background dispatcher to a real receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mltrail.server.app import create_app
from mltrail.server.settings import ServerSettings
from tests.webhook_receiver import Receiver, allow_local_webhooks

pytestmark = pytest.mark.anyio
API = "/api/2.0/mlflow"
ALL_REGISTRY_EVENTS = [
    {"entity": "REGISTERED_MODEL", "action": "CREATED"},
    {"entity": "MODEL_VERSION", "action": "CREATED"},
    {"entity": "MODEL_VERSION_TAG", "action": "SET"},
    {"entity": "MODEL_VERSION_TAG", "action": "DELETED"},
    {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"},
    {"entity": "MODEL_VERSION_ALIAS", "action": "DELETED"},
]


@pytest.fixture(autouse=True)
def _local_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    allow_local_webhooks(monkeypatch)  # before the app reads its settings


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
async def app(settings: ServerSettings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    yield application
    application.state.context.webhooks.close()
    application.state.context.tracking.close()


@pytest.fixture
async def client(
    app: Starlette, make_client: Callable[[Starlette], httpx.AsyncClient]
) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


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


async def test_webhook_crud_on_the_wire(client: httpx.AsyncClient, receiver: Receiver) -> None:
    created = await call(
        client,
        "POST",
        "/webhooks",
        json={
            "name": "ci",
            "url": receiver.url,
            "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}],
            "secret": "never-shown",
            "description": "d",
        },
    )
    hook = created["webhook"]
    assert set(hook) == {
        "webhook_id",
        "name",
        "description",
        "url",
        "events",
        "status",
        "creation_timestamp",
        "last_updated_timestamp",
    }
    assert hook["events"] == [{"entity": "REGISTERED_MODEL", "action": "CREATED"}]
    assert hook["status"] == "ACTIVE"
    path = f"/webhooks/{hook['webhook_id']}"
    assert (await call(client, "GET", path))["webhook"] == hook
    ajax = await client.get(f"/ajax-api/2.0/mlflow{path}")
    assert ajax.json()["webhook"] == hook

    patched = await call(
        client, "PATCH", path, json={"status": "DISABLED", "events": ALL_REGISTRY_EVENTS[1:3]}
    )
    assert patched["webhook"]["status"] == "DISABLED"
    assert patched["webhook"]["events"] == [
        {"entity": "MODEL_VERSION", "action": "CREATED"},
        {"entity": "MODEL_VERSION_TAG", "action": "SET"},
    ]
    assert "never-shown" not in str(await call(client, "GET", "/webhooks"))

    for i in range(3):
        body = {"name": f"h{i}", "url": receiver.url, "events": ALL_REGISTRY_EVENTS[:1]}
        await call(client, "POST", "/webhooks", json=body)
    first = await call(client, "GET", "/webhooks", params={"max_results": 3})
    rest = await call(client, "GET", "/webhooks", params={"page_token": first["next_page_token"]})
    listed = first["webhooks"] + rest["webhooks"]
    assert sorted(w["name"] for w in listed) == ["ci", "h0", "h1", "h2"]
    times = [w["creation_timestamp"] for w in listed]
    assert times == sorted(times, reverse=True)  # newest first
    assert "next_page_token" not in rest

    assert await call(client, "DELETE", path) == {}
    await fail(client, "GET", path, 404, "RESOURCE_DOES_NOT_EXIST")


async def test_bad_requests(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    event = ALL_REGISTRY_EVENTS[:1]
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"url": "https://127.0.0.1", "events": event},
            "Missing value for required parameter 'name'",
        ),
        ({"name": "h", "events": event}, "Missing value for required parameter 'url'"),
        (
            {"name": "h", "url": "https://127.0.0.1"},
            "Missing value for required parameter 'events'",
        ),
        ({"name": "h", "url": "https://127.0.0.1", "events": []}, "non-empty list"),
        (
            {
                "name": "h",
                "url": "https://127.0.0.1",
                "events": [{"entity": "REGISTERED_MODEL", "action": "DELETED"}],
            },
            "Invalid action 'deleted' for entity 'registered_model'",
        ),
        (
            {"name": "h", "url": "https://127.0.0.1", "events": [{"entity": "X", "action": "SET"}]},
            "Invalid webhook entity",
        ),
        ({"name": "h!", "url": "https://127.0.0.1", "events": event}, "Webhook name 'h!'"),
        ({"name": "h", "url": "gopher://127.0.0.1", "events": event}, "Invalid webhook URL scheme"),
        ({"name": "h", "url": "https://127.0.0.1", "events": event, "status": "x"}, "status"),
    ]
    for body, message in cases:
        got = await fail(client, "POST", "/webhooks", 400, "INVALID_PARAMETER_VALUE", json=body)
        assert message in got
    await fail(
        client, "GET", "/webhooks", 400, "INVALID_PARAMETER_VALUE", params={"max_results": 1001}
    )
    for method in ("GET", "DELETE"):
        await fail(client, method, "/webhooks/nope", 404, "RESOURCE_DOES_NOT_EXIST")
    await fail(
        client, "PATCH", "/webhooks/nope", 404, "RESOURCE_DOES_NOT_EXIST", json={"name": "x"}
    )
    await fail(client, "POST", "/webhooks/nope/test", 404, "RESOURCE_DOES_NOT_EXIST", json={})

    monkeypatch.delenv("MLTRAIL_WEBHOOK_ALLOW_PRIVATE_IPS")  # the store reads it per call
    body = {"name": "h", "url": "http://127.0.0.1:9/x", "events": event}
    message = await fail(client, "POST", "/webhooks", 400, "INVALID_PARAMETER_VALUE", json=body)
    assert "private" in message
    assert await call(client, "GET", "/webhooks") == {}


async def test_test_endpoint(client: httpx.AsyncClient, receiver: Receiver) -> None:
    body = {"name": "t", "url": receiver.url, "events": ALL_REGISTRY_EVENTS[4:], "secret": "k"}
    hook = (await call(client, "POST", "/webhooks", json=body))["webhook"]
    tested = await call(
        client,
        "POST",
        f"/webhooks/{hook['webhook_id']}/test",
        json={"event": {"entity": "MODEL_VERSION_TAG", "action": "SET"}},
    )
    assert tested == {
        "result": {"success": True, "response_status": 200, "response_body": "received"}
    }
    [got] = receiver.wait_for(1)
    assert got.event == "model_version_tag.set"
    assert got.signature_ok("k")
    receiver.fail_next, receiver.fail_status = 1, 404
    failed = await call(client, "POST", f"/webhooks/{hook['webhook_id']}/test", json={})
    assert failed["result"]["success"] is False
    assert failed["result"]["response_status"] == 404
    assert receiver.wait_for(2)[1].event == "model_version_alias.created"  # the first event


async def test_registry_calls_fire_events(
    client: httpx.AsyncClient, app: Starlette, tmp_path: Path
) -> None:
    with Receiver() as active, Receiver() as disabled:
        for name, url, status in (("on", active.url, "ACTIVE"), ("off", disabled.url, "DISABLED")):
            body = {
                "name": name,
                "url": url,
                "events": ALL_REGISTRY_EVENTS,
                "secret": "sig",
                "status": status,
            }
            await call(client, "POST", "/webhooks", json=body)
        # A prompt fires no registered-model events (prompts have their own, not emitted).
        prompt_tag = [{"key": "mlflow.prompt.is_prompt", "value": "true"}]
        await call(
            client, "POST", "/registered-models/create", json={"name": "p", "tags": prompt_tag}
        )
        await call(
            client,
            "POST",
            "/registered-models/create",
            json={"name": "m", "tags": [{"key": "team", "value": "a"}], "description": "d"},
        )
        run = await call(client, "POST", "/runs/create", json={"experiment_id": "0"})
        info = run["run"]["info"]
        source = f"{info['artifact_uri']}/model"
        version = {"name": "m", "source": source, "run_id": info["run_id"]}
        await call(client, "POST", "/model-versions/create", json=version)
        tag = {"name": "m", "version": "1", "key": "k", "value": "v"}
        await call(client, "POST", "/model-versions/set-tag", json=tag)
        await call(client, "DELETE", "/model-versions/delete-tag", json={**tag, "value": None})
        alias = {"name": "m", "alias": "champ", "version": "1"}
        await call(client, "POST", "/registered-models/alias", json=alias)
        await call(
            client, "DELETE", "/registered-models/alias", json={"name": "m", "alias": "champ"}
        )

        assert app.state.context.webhooks.wait_idle(15)
        got = {d.event: d for d in active.wait_for(6)}
        assert len(active.deliveries) == 6
        assert disabled.deliveries == []
        assert all(d.signature_ok("sig") for d in got.values())
        assert got["registered_model.created"].json["data"] == {
            "name": "m",
            "tags": {"team": "a"},
            "description": "d",
        }
        assert got["model_version.created"].json["data"] == {
            "name": "m",
            "version": "1",
            "source": source,
            "run_id": info["run_id"],
            "tags": {},
            "description": None,
        }
        assert got["model_version_tag.set"].json["data"] == tag
        assert got["model_version_tag.deleted"].json["data"] == {
            "name": "m",
            "version": "1",
            "key": "k",
        }
        assert got["model_version_alias.created"].json["data"] == alias
        assert got["model_version_alias.deleted"].json["data"] == {"name": "m", "alias": "champ"}


async def test_calls_do_not_wait_for_the_receiver(
    client: httpx.AsyncClient, app: Starlette, receiver: Receiver
) -> None:
    body = {"name": "slow", "url": receiver.url, "events": ALL_REGISTRY_EVENTS[:1]}
    await call(client, "POST", "/webhooks", json=body)
    receiver.hold.clear()  # the receiver takes requests but does not answer yet
    await call(client, "POST", "/registered-models/create", json={"name": "quick"})
    receiver.wait_arrived(1)  # the delivery reached the receiver, which holds its answer:
    assert receiver.deliveries == []  # so the API call above answered before the receiver
    receiver.hold.set()
    assert receiver.wait_for(1)[0].json["data"]["name"] == "quick"
    assert app.state.context.webhooks.wait_idle(15)


async def test_webhook_changes_apply_to_the_next_event(
    client: httpx.AsyncClient, app: Starlette, receiver: Receiver
) -> None:
    dispatcher = app.state.context.webhooks
    await call(client, "POST", "/registered-models/create", json={"name": "before"})
    assert dispatcher.wait_idle(15)  # "nobody listens" is now remembered
    body = {"name": "late", "url": receiver.url, "events": ALL_REGISTRY_EVENTS[:1]}
    hook = (await call(client, "POST", "/webhooks", json=body))["webhook"]
    await call(client, "POST", "/registered-models/create", json={"name": "after"})
    assert receiver.wait_for(1)[0].json["data"]["name"] == "after"
    path = f"/webhooks/{hook['webhook_id']}"
    await call(client, "PATCH", path, json={"status": "DISABLED"})
    await call(client, "POST", "/registered-models/create", json={"name": "muted"})
    assert dispatcher.wait_idle(15)  # looked up (and skipped) while disabled
    await call(client, "PATCH", path, json={"status": "ACTIVE"})
    await call(client, "POST", "/registered-models/create", json={"name": "again"})
    assert receiver.wait_for(2)[1].json["data"]["name"] == "again"
    assert dispatcher.wait_idle(15)
    assert [d.json["data"]["name"] for d in receiver.deliveries] == ["after", "again"]
