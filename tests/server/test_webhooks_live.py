"""Webhooks through a real `mltrail server` process: registry calls made with mltrail's client
are delivered to a real receiver, and the official `mlflow` client manages and tests webhooks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.errors import MltrailError
from mltrail.tracking.client import MltrailClient
from tests.compat.conftest import LiveServer, free_port, stop_server, store_args, wait_until_healthy
from tests.webhook_receiver import LOCAL_WEBHOOK_ENV, Receiver

pytestmark = pytest.mark.slow
EVENTS = [
    "registered_model.created",
    "model_version.created",
    "model_version_tag.set",
    "model_version_alias.created",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`mltrail server` allowed to deliver to http://127.0.0.1 (through its settings)."""
    root = tmp_path_factory.mktemp("webhook-server")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env |= {"OMP_NUM_THREADS": "1", **LOCAL_WEBHOOK_ENV}
    command = [sys.executable, "-m", "mltrail.cli.server", "--host", "127.0.0.1"]
    command += ["--port", str(port), *store_args(root)]
    log = root / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    live = LiveServer(f"http://127.0.0.1:{port}", root, process)
    try:
        wait_until_healthy(live.url, process, log)
        yield live
    finally:
        stop_server(live)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as hook_receiver:
        yield hook_receiver


def test_registry_calls_are_delivered(
    server: LiveServer, receiver: Receiver, tmp_path: Path
) -> None:
    client = MltrailClient(tracking_uri=server.url)
    hook = client.create_webhook("live", receiver.url, EVENTS, secret="live-secret")
    assert hook.secret is None  # never sent back by the server
    try:
        client.create_registered_model("live-model", tags={"a": "b"})
        run = client.create_run("0")
        source = f"{run.info.artifact_uri}/model"
        client.create_model_version("live-model", source, run.info.run_id)
        client.set_model_version_tag("live-model", "1", "stage", "qa")
        client.set_registered_model_alias("live-model", "champion", "1")

        got = {d.event: d for d in receiver.wait_for(4)}
        assert sorted(got) == sorted(EVENTS)
        assert all(d.signature_ok("live-secret") for d in got.values())
        assert got["model_version.created"].json["data"]["source"] == source
        assert got["model_version_alias.created"].json["data"] == {
            "name": "live-model",
            "alias": "champion",
            "version": "1",
        }

        listed = client.list_webhooks(max_results=1)
        assert [w.webhook_id for w in listed] == [hook.webhook_id]
        assert listed.token is None
        renamed = client.update_webhook(hook.webhook_id, name="live-2", description="d")
        assert (renamed.name, renamed.description, renamed.events) == ("live-2", "d", hook.events)

        result = client.test_webhook(hook.webhook_id, "model_version_tag.set")
        assert (result.success, result.response_status) == (True, 200)
        assert receiver.wait_for(5)[4].json["data"]["key"] == "example_key"
    finally:
        client.delete_webhook(hook.webhook_id)
    with pytest.raises(MltrailError) as missing:
        client.get_webhook(hook.webhook_id)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.compat
def test_official_client_manages_and_tests_webhooks(
    server: LiveServer, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    from mlflow import MlflowClient
    from mlflow.entities.webhook import WebhookEvent, WebhookStatus
    from mlflow.exceptions import MlflowException

    client = MlflowClient(tracking_uri=server.url, registry_uri=server.url)
    created = client.create_webhook(
        name="official",
        url=receiver.url,
        events=["model_version.created", WebhookEvent("model_version_alias", "deleted")],
        description="from mlflow",
        secret="official-secret",
    )
    assert created.status == WebhookStatus.ACTIVE
    assert {str(e) for e in created.events} == {
        "model_version.created",
        "model_version_alias.deleted",
    }
    assert client.get_webhook(created.webhook_id).description == "from mlflow"
    others = [
        client.create_webhook(f"page-{i}", receiver.url, ["prompt.created"]) for i in range(2)
    ]
    page = client.list_webhooks(max_results=2)
    rest = client.list_webhooks(max_results=2, page_token=page.token)
    listed = [*page, *rest]
    assert sorted(w.name for w in listed) == ["official", "page-0", "page-1"]
    times = [w.creation_timestamp for w in listed]
    assert times == sorted(times, reverse=True)  # newest first

    updated = client.update_webhook(
        created.webhook_id, name="official-2", status=WebhookStatus.DISABLED
    )
    assert (updated.name, updated.status) == ("official-2", WebhookStatus.DISABLED)

    result = client.test_webhook(created.webhook_id)
    assert (result.success, result.response_status, result.response_body) == (
        True,
        200,
        "received",
    )
    [got] = receiver.wait_for(1)
    assert got.event == "model_version.created"
    assert got.signature_ok("official-secret")

    with pytest.raises(MlflowException) as bad:
        client.create_webhook("bad name", receiver.url, ["model_version.created"])
    assert bad.value.error_code == "INVALID_PARAMETER_VALUE"
    for hook in (created, *others):
        client.delete_webhook(hook.webhook_id)
    with pytest.raises(MlflowException) as missing:
        client.get_webhook(created.webhook_id)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert list(client.list_webhooks()) == []
