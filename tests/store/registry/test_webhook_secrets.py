"""Webhook secrets are encrypted at rest: where the key comes from, what is in the database,
rows written in plain text before (revision 0004), wrong keys, and server databases."""

from __future__ import annotations

import logging
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, insert, select

from mltrail.entities.webhook import WebhookEvent
from mltrail.errors import MltrailError
from mltrail.store.registry.sql import SqlRegistryStore
from mltrail.store.registry.sql.schema import webhook_events, webhooks
from mltrail.testing.databases import temporary_database
from mltrail.webhooks.secrets import KEY_VARIABLE, PREFIX, SecretUnreadable
from tests.webhook_receiver import Receiver, allow_local_webhooks

EVENT = "registered_model.created"


@pytest.fixture(autouse=True)
def _local_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    allow_local_webhooks(monkeypatch)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def stored_secrets(uri: str) -> dict[str, str | None]:
    """The secret column as the database holds it (read without mltrail's store)."""
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(webhooks.c.name, webhooks.c.secret)).all()
            return {r.name: r.secret for r in rows}
    finally:
        engine.dispose()


def insert_plain_row(uri: str, name: str, secret: str) -> str:
    """A webhook as revision 0004 stored it: the secret in plain text."""
    webhook_id = str(uuid.uuid4())
    engine = create_engine(uri)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(webhooks).values(
                    webhook_id=webhook_id,
                    name=name,
                    url="https://127.0.0.1/hook",
                    status="ACTIVE",
                    secret=secret,
                    creation_timestamp=1,
                    last_updated_timestamp=1,
                )
            )
            conn.execute(
                insert(webhook_events).values(
                    webhook_id=webhook_id, entity="registered_model", action="created"
                )
            )
    finally:
        engine.dispose()
    return webhook_id


def test_sqlite_without_a_key_gets_a_private_key_file(
    sqlite_uri: str, tmp_path: Path, receiver: Receiver
) -> None:
    key_file = tmp_path / "mltrail.db.webhook-key"
    with SqlRegistryStore(sqlite_uri) as store:
        store.create_webhook("plain", receiver.url, [EVENT])
        assert not key_file.exists()  # made only when a secret needs it
        hook = store.create_webhook("signed", receiver.url, [EVENT], secret="s3cret")
        assert hook.secret == "s3cret"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    raw = stored_secrets(sqlite_uri)
    assert raw["plain"] is None
    assert raw["signed"] is not None
    assert raw["signed"].startswith(PREFIX)
    assert "s3cret" not in raw["signed"]
    assert b"s3cret" not in Path(sqlite_uri.removeprefix("sqlite:///")).read_bytes()

    with SqlRegistryStore(sqlite_uri) as reopened:  # a new process would do the same
        assert reopened.get_webhook(hook.webhook_id).secret == "s3cret"
        assert reopened.test_webhook(hook.webhook_id).success
    assert receiver.wait_for(1)[0].signature_ok("s3cret")


def test_configured_key_mlflow_name_and_rotation(
    sqlite_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY", old)  # MLflow's name works
    with SqlRegistryStore(sqlite_uri) as store:
        hook = store.create_webhook("h", "https://127.0.0.1/x", [EVENT], secret="k1")
    token = stored_secrets(sqlite_uri)["h"]
    assert token is not None
    assert Fernet(old).decrypt(token.removeprefix(PREFIX).encode()) == b"k1"
    assert not (tmp_path / "mltrail.db.webhook-key").exists()

    # Rotation: the first key encrypts, every listed key decrypts; MLTRAIL_* wins over MLFLOW_*.
    monkeypatch.setenv(KEY_VARIABLE, f"{new},{old}")
    with SqlRegistryStore(sqlite_uri) as store:
        assert store.get_webhook(hook.webhook_id).secret == "k1"
        store.update_webhook(hook.webhook_id, secret="k2")
    token = stored_secrets(sqlite_uri)["h"]
    assert token is not None
    assert Fernet(new).decrypt(token.removeprefix(PREFIX).encode()) == b"k2"


def test_a_wrong_key_hides_the_secret_and_stops_deliveries(
    sqlite_uri: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(KEY_VARIABLE, Fernet.generate_key().decode())
    with SqlRegistryStore(sqlite_uri) as store:
        hook = store.create_webhook("h", "https://127.0.0.1/x", [EVENT], secret="k")
    monkeypatch.setenv(KEY_VARIABLE, Fernet.generate_key().decode())
    with SqlRegistryStore(sqlite_uri) as store, caplog.at_level(logging.ERROR):
        # Still listed and editable, but never delivered unsigned and never tested.
        assert store.get_webhook(hook.webhook_id).secret is None
        assert [w.name for w in store.list_webhooks()] == ["h"]
        assert list(store.list_webhooks_by_event(WebhookEvent.from_str(EVENT))) == []
        with pytest.raises(SecretUnreadable, match=KEY_VARIABLE) as caught:
            store.test_webhook(hook.webhook_id)
        assert caught.value.error_code == "INVALID_STATE"
        assert "cannot be decrypted" in caplog.text
        store.update_webhook(hook.webhook_id, secret="fresh")  # the way out
        assert store.get_webhook(hook.webhook_id).secret == "fresh"
        assert len(store.list_webhooks_by_event(WebhookEvent.from_str(EVENT))) == 1


def test_a_malformed_key_is_a_clear_error_and_stores_nothing(
    sqlite_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VARIABLE, "not-a-key")
    with SqlRegistryStore(sqlite_uri) as store:
        with pytest.raises(MltrailError, match="Fernet key") as caught:
            store.create_webhook("h", "https://127.0.0.1/x", [EVENT], secret="k")
        assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
        assert list(store.list_webhooks()) == []


def test_plain_rows_from_revision_0004_are_read_then_sealed(sqlite_uri: str) -> None:
    with SqlRegistryStore(sqlite_uri) as store:
        webhook_id = insert_plain_row(sqlite_uri, "legacy", "old-secret")
        assert store.get_webhook(webhook_id).secret == "old-secret"  # read as it is
    with SqlRegistryStore(sqlite_uri) as reopened:  # opening seals it
        raw = stored_secrets(sqlite_uri)["legacy"]
        assert raw is not None
        assert raw.startswith(PREFIX)
        assert reopened.get_webhook(webhook_id).secret == "old-secret"


@pytest.fixture
def postgres_uri(tmp_path: Path) -> Iterator[str]:
    with temporary_database("postgres", tmp_path) as uri:
        yield uri


def test_a_server_database_without_a_key_refuses_secrets_only(
    postgres_uri: str, caplog: pytest.LogCaptureFixture
) -> None:
    with SqlRegistryStore(postgres_uri) as store:
        with pytest.raises(MltrailError, match=KEY_VARIABLE) as caught:
            store.create_webhook("h", "https://127.0.0.1/x", [EVENT], secret="k")
        assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
        assert list(store.list_webhooks()) == []  # nothing half-made
        unsigned = store.create_webhook("h", "https://127.0.0.1/x", [EVENT])
        with pytest.raises(MltrailError, match=KEY_VARIABLE):
            store.update_webhook(unsigned.webhook_id, secret="k")
        assert store.get_webhook(unsigned.webhook_id).secret is None

        # Plain rows from before keep working, with a warning until a key is set.
        legacy = insert_plain_row(postgres_uri, "legacy", "old")
    with caplog.at_level(logging.WARNING), SqlRegistryStore(postgres_uri) as reopened:
        assert reopened.get_webhook(legacy).secret == "old"
        assert stored_secrets(postgres_uri)["legacy"] == "old"
    assert "stored unencrypted" in caplog.text


def test_a_server_database_with_a_key_seals_old_rows(
    postgres_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqlRegistryStore(postgres_uri):  # creates the schema
        legacy = insert_plain_row(postgres_uri, "legacy", "old")
    monkeypatch.setenv(KEY_VARIABLE, Fernet.generate_key().decode())
    with SqlRegistryStore(postgres_uri) as store:
        raw = stored_secrets(postgres_uri)["legacy"]
        assert raw is not None
        assert raw.startswith(PREFIX)
        assert store.get_webhook(legacy).secret == "old"


def test_an_unusable_key_file_is_a_clear_error(sqlite_uri: str, tmp_path: Path) -> None:
    (tmp_path / "mltrail.db.webhook-key").mkdir()  # not a file: cannot be read
    with SqlRegistryStore(sqlite_uri) as store:
        with pytest.raises(MltrailError, match="key file") as caught:
            store.create_webhook("h", "https://127.0.0.1/x", [EVENT], secret="k")
        assert caught.value.error_code == "INVALID_STATE"
        assert list(store.list_webhooks()) == []
