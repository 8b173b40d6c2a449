"""Webhooks in the SQL registry store (every backend) and their delivery: signing, retries,
refused addresses, and test deliveries to a real receiver on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from mltrail.entities.webhook import (
    Webhook,
    WebhookAction,
    WebhookEntity,
    WebhookEvent,
    WebhookStatus,
)
from mltrail.errors import ErrorCode, MltrailError
from mltrail.store.registry.sql import SqlRegistryStore
from mltrail.webhooks.addresses import AddressRefused, is_public, resolve_public
from mltrail.webhooks.delivery import DeliveryError, DeliveryOptions, deliver, send_test
from mltrail.webhooks.secrets import KEY_VARIABLE
from mltrail.webhooks.signing import sign, verify_signature
from tests.webhook_receiver import Receiver, allow_local_webhooks

LOCAL = DeliveryOptions(("http", "https"), True, max_retries=3, timeout=5, backoff_factor=0.01)
MV_CREATED = WebhookEvent(WebhookEntity.MODEL_VERSION, WebhookAction.CREATED)


@pytest.fixture(autouse=True)
def _local_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    allow_local_webhooks(monkeypatch)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
def store(db_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqlRegistryStore]:
    """On every backend: the SQL (CRUD, paging, subscriber queries). Server databases need a
    configured key to store secrets (SQLite makes a key file), as in production."""
    if not db_uri.startswith("sqlite"):
        monkeypatch.setenv(KEY_VARIABLE, Fernet.generate_key().decode())
    with SqlRegistryStore(db_uri) as s:
        yield s


@pytest.fixture
def sqlite_store(sqlite_uri: str) -> Iterator[SqlRegistryStore]:
    """SQLite only: for behaviour that does not depend on the database."""
    with SqlRegistryStore(sqlite_uri) as s:
        yield s


def _code(call: object) -> str:
    assert callable(call)
    with pytest.raises(MltrailError) as caught:
        call()
    return caught.value.error_code


def test_crud_paging_and_secret(store: SqlRegistryStore) -> None:
    hook = store.create_webhook(
        "ci.hook_1",
        "https://127.0.0.1/hook",
        [
            "model_version.created",
            WebhookEvent("REGISTERED_MODEL", "CREATED"),
            "model_version.created",
        ],
        description="d",
        secret="s3cret",
    )
    assert hook.status is WebhookStatus.ACTIVE
    assert [str(e) for e in hook.events] == ["model_version.created", "registered_model.created"]
    assert hook.secret == "s3cret"
    assert "s3cret" not in repr(hook)
    assert store.get_webhook(hook.webhook_id) == hook

    changed = store.update_webhook(
        hook.webhook_id, name="renamed", events=["model_version_alias.deleted"], status="disabled"
    )
    assert (changed.name, changed.status, changed.description) == (
        "renamed",
        WebhookStatus.DISABLED,
        "d",
    )
    assert [str(e) for e in changed.events] == ["model_version_alias.deleted"]
    assert changed.secret == "s3cret"  # untouched unless given
    assert changed.last_updated_timestamp >= hook.last_updated_timestamp
    assert store.update_webhook(hook.webhook_id, secret="").secret is None

    more = [
        store.create_webhook(f"h{i}", "https://127.0.0.1/x", ["prompt.created"]) for i in range(4)
    ]
    first = store.list_webhooks(max_results=2)
    second = store.list_webhooks(max_results=2, page_token=first.token)
    third = store.list_webhooks(max_results=2, page_token=second.token)
    listed = [w.webhook_id for w in [*first, *second, *third]]
    assert sorted(listed) == sorted([hook.webhook_id, *(w.webhook_id for w in more)])
    assert third.token is None
    assert first.token
    assert second.token
    times = [w.creation_timestamp for w in [*first, *second, *third]]
    assert times == sorted(times, reverse=True)  # newest first

    store.delete_webhook(hook.webhook_id)
    assert _code(lambda: store.get_webhook(hook.webhook_id)) == "RESOURCE_DOES_NOT_EXIST"
    assert len(store.list_webhooks()) == 4


def test_bad_input_is_refused_and_changes_nothing(store: SqlRegistryStore) -> None:
    hook = store.create_webhook("keep", "https://127.0.0.1/x", ["model_version_tag.set"])
    bad_creates = [
        lambda: store.create_webhook("-bad", "https://127.0.0.1", ["prompt.created"]),
        lambda: store.create_webhook("a" * 64, "https://127.0.0.1", ["prompt.created"]),
        lambda: store.create_webhook("x y", "https://127.0.0.1", ["prompt.created"]),
        lambda: store.create_webhook("ok", "ftp://127.0.0.1", ["prompt.created"]),
        lambda: store.create_webhook("ok", "https://", ["prompt.created"]),
        lambda: store.create_webhook("ok", "  ", ["prompt.created"]),
        lambda: store.create_webhook("ok", "https://127.0.0.1", []),
        lambda: store.create_webhook("ok", "https://127.0.0.1", ["registered_model.deleted"]),
        lambda: store.create_webhook("ok", "https://127.0.0.1", ["model.created"]),
        lambda: store.create_webhook("ok", "https://127.0.0.1", ["registered_model"]),
        lambda: store.create_webhook("ok", "https://127.0.0.1", ["prompt.created"], status="on"),
        lambda: store.update_webhook(hook.webhook_id, url="ftp://x"),
        lambda: store.update_webhook(hook.webhook_id, events=[]),
        lambda: store.update_webhook(hook.webhook_id, name="bad!"),
        lambda: store.list_webhooks(max_results=1001),
        lambda: store.list_webhooks(max_results=-1),
        lambda: store.list_webhooks(page_token="garbage"),
    ]
    for call in bad_creates:
        assert _code(call) == "INVALID_PARAMETER_VALUE"
    for call in (
        lambda: store.get_webhook("nope"),
        lambda: store.update_webhook("nope", name="x"),
        lambda: store.delete_webhook("nope"),
        lambda: store.test_webhook("nope"),
    ):
        assert _code(call) == "RESOURCE_DOES_NOT_EXIST"
    assert [w.webhook_id for w in store.list_webhooks()] == [hook.webhook_id]
    assert store.get_webhook(hook.webhook_id) == hook
    assert store.create_webhook("a" * 63, "https://127.0.0.1", ["prompt.created"]).name == "a" * 63


def test_subscribers_are_the_active_webhooks_of_an_event(store: SqlRegistryStore) -> None:
    on = store.create_webhook("on", "https://127.0.0.1", ["model_version.created"])
    store.create_webhook("off", "https://127.0.0.1", ["model_version.created"], status="DISABLED")
    store.create_webhook("other", "https://127.0.0.1", ["registered_model.created"])
    found = store.list_webhooks_by_event(MV_CREATED)
    assert [w.webhook_id for w in found] == [on.webhook_id]


def test_private_addresses_are_refused_unless_allowed(
    sqlite_store: SqlRegistryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = sqlite_store
    monkeypatch.delenv("MLTRAIL_WEBHOOK_ALLOW_PRIVATE_IPS")
    for url in ("https://127.0.0.1/x", "https://localhost/x", "https://10.1.2.3", "https://[::1]/"):
        with pytest.raises(AddressRefused) as caught:
            store.create_webhook("h", url, ["prompt.created"])
        assert caught.value.code is ErrorCode.INVALID_PARAMETER_VALUE
    monkeypatch.delenv("MLTRAIL_WEBHOOK_ALLOWED_SCHEMES")  # default: https only
    with pytest.raises(MltrailError, match=r"Allowed schemes are: https\."):
        store.create_webhook("h", "http://8.8.8.8", ["prompt.created"])
    assert store.list_webhooks() == []
    assert not any(is_public(a) for a in resolve_public("localhost", 80, allow_private=True))


def _hook(url: str, secret: str | None = "s3cret") -> Webhook:
    return Webhook("id-1", "h", url, [MV_CREATED], 1, 1, secret=secret)


def test_delivery_is_signed_json(receiver: Receiver) -> None:
    payload = {
        "name": "m",
        "version": "1",
        "source": "s",
        "run_id": None,
        "tags": {},
        "description": None,
    }
    answer = deliver(_hook(receiver.url), MV_CREATED, payload, LOCAL)
    assert (answer.status, answer.body) == (200, "received")
    [got] = receiver.wait_for(1)
    assert got.path == "/hook"
    assert got.headers["Content-Type"] == "application/json"
    assert got.json["data"] == payload
    assert (got.json["entity"], got.json["action"]) == ("model_version", "created")
    assert got.json["timestamp"].endswith("+00:00")
    assert got.signature_ok("s3cret")
    assert not got.signature_ok("other")
    assert verify_signature(
        "s3cret",
        got.headers["X-MLflow-Delivery-Id"],
        got.headers["X-MLflow-Timestamp"],
        got.body,
        got.headers["X-MLflow-Signature"],
    )
    stale = str(int(got.headers["X-MLflow-Timestamp"]) - 3600)
    resigned = sign("s3cret", got.headers["X-MLflow-Delivery-Id"], stale, got.body)
    assert not verify_signature(
        "s3cret", got.headers["X-MLflow-Delivery-Id"], stale, got.body, resigned
    )
    deliver(_hook(receiver.url, secret=None), MV_CREATED, payload, LOCAL)
    assert "X-MLflow-Signature" not in receiver.wait_for(2)[1].headers


def test_failed_answers_are_retried_with_fresh_ids(receiver: Receiver) -> None:
    receiver.fail_next = 2
    answer = deliver(_hook(receiver.url), MV_CREATED, {"name": "m"}, LOCAL)
    assert answer.status == 200
    attempts = receiver.wait_for(3)
    assert [a.status for a in attempts] == [503, 503, 200]
    assert len({a.headers["X-MLflow-Delivery-Id"] for a in attempts}) == 3
    assert all(a.signature_ok("s3cret") for a in attempts)


def test_retries_give_up_after_the_limit(receiver: Receiver) -> None:
    receiver.fail_next, receiver.fail_status = 10, 500
    options = DeliveryOptions(("http",), True, max_retries=2, timeout=5, backoff_factor=0.01)
    assert deliver(_hook(receiver.url), MV_CREATED, {}, options).status == 500
    assert len(receiver.wait_for(3)) == 3
    receiver.fail_next, receiver.fail_status = 1, 404  # not retried
    assert deliver(_hook(receiver.url), MV_CREATED, {}, options).status == 404
    assert [d.status for d in receiver.wait_for(4)] == [500, 500, 500, 404]


def test_unreachable_receiver_raises_after_retries(receiver: Receiver) -> None:
    url = receiver.url
    receiver.close()  # the port no longer answers
    with pytest.raises(DeliveryError):
        deliver(_hook(url), MV_CREATED, {}, LOCAL)


def test_connecting_to_a_private_address_is_refused(receiver: Receiver) -> None:
    """Checked on the addresses the host resolves to, at connection time: a webhook stored
    while private addresses were allowed is still not delivered once they are not."""
    strict = DeliveryOptions(("http",), False, max_retries=3, timeout=5, backoff_factor=0.01)
    for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
        with pytest.raises(AddressRefused):
            deliver(_hook(url), MV_CREATED, {}, strict)
    result = send_test(_hook(receiver.url), None, strict)
    assert not result.success
    assert "private" in (result.error_message or "")
    assert receiver.deliveries == []


def test_test_webhook_from_the_store(sqlite_store: SqlRegistryStore, receiver: Receiver) -> None:
    store = sqlite_store
    hook = store.create_webhook(
        "t", receiver.url, ["model_version_alias.created", "registered_model.created"], secret="k"
    )
    result = store.test_webhook(hook.webhook_id)
    assert (result.success, result.response_status, result.response_body) == (True, 200, "received")
    first = receiver.wait_for(1)[0]
    assert first.event == "model_version_alias.created"  # the webhook's first event
    assert first.json["data"] == {"name": "example_model", "alias": "example_alias", "version": "1"}
    assert first.signature_ok("k")
    store.test_webhook(hook.webhook_id, "prompt_version.created")
    assert receiver.wait_for(2)[1].json["data"]["template"] == "Hello {{name}}!"
    receiver.fail_next, receiver.fail_status = 1, 404
    failed = store.test_webhook(hook.webhook_id, WebhookEvent("registered_model", "created"))
    assert (failed.success, failed.response_status) == (False, 404)
