"""Registry webhooks in SQL: create, read, list (paged, newest first), update, delete, and a
test delivery sent from this process.

The secret is stored encrypted (`mltrail.webhooks.secrets` says with which key) and only ever
leaves the store inside the `Webhook` entity used for signing; the server's wire codec never
writes it. A secret the key cannot decrypt reads as None, and its webhook gets no deliveries.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, delete, insert, select, update

from mltrail._time import now_ms
from mltrail.entities import PagedList
from mltrail.entities.webhook import (
    Webhook,
    WebhookEvent,
    WebhookStatus,
    WebhookTestResult,
    parse_events,
)
from mltrail.errors import InvalidParameter, NotFound
from mltrail.settings import Settings
from mltrail.store.registry.sql.schema import webhook_events, webhooks
from mltrail.store.tracking.page_token import decode_offset, next_page_token
from mltrail.store.tracking.sql.engine import Database, sqlite_path
from mltrail.webhooks.addresses import check_destination
from mltrail.webhooks.secrets import KEY_VARIABLE, PREFIX, SecretBox, SecretUnreadable

if TYPE_CHECKING:
    from mltrail.webhooks.delivery import DeliveryOptions

log = logging.getLogger(__name__)

# What reading a secret the key cannot decrypt does: hide it (None), skip the webhook, raise.
Unreadable = Literal["hide", "skip", "raise"]

LIST_WEBHOOKS_MAX_RESULTS_DEFAULT = 100
LIST_WEBHOOKS_MAX_RESULTS_THRESHOLD = 1000
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")


def check_webhook_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidParameter(
            f"Webhook name {name!r} is invalid. It must start and end with a letter or digit, "
            "be less than 63 characters long, and contain only letters, digits, dots (.), "
            "underscores (_), and hyphens (-)."
        )
    return name


def _options() -> DeliveryOptions:
    from mltrail.webhooks.delivery import DeliveryOptions

    return DeliveryOptions.from_settings(Settings.from_env())


def check_webhook_url(url: str) -> str:
    options = _options()
    check_destination(url, options.allowed_schemes, allow_private=options.allow_private_ips)
    return url.strip()


def _limit(max_results: int | None) -> int:
    if max_results is None or max_results == 0:
        return LIST_WEBHOOKS_MAX_RESULTS_DEFAULT
    if not isinstance(max_results, int) or not 1 <= max_results <= 1000:
        raise InvalidParameter(
            f"max_results must be between 1 and {LIST_WEBHOOKS_MAX_RESULTS_THRESHOLD}."
        )
    return max_results


def not_found(webhook_id: str) -> NotFound:
    return NotFound(f"Webhook with ID {webhook_id} not found.")


def _load(
    conn: Connection, ids: Sequence[str], box: SecretBox, unreadable: Unreadable = "hide"
) -> list[Webhook]:
    """The webhooks with these ids, in the order of `ids`, with their events."""
    if not ids:
        return []
    rows = {
        r.webhook_id: r
        for r in conn.execute(select(webhooks).where(webhooks.c.webhook_id.in_(ids)))
    }
    events: dict[str, list[WebhookEvent]] = defaultdict(list)
    for row in conn.execute(select(webhook_events).where(webhook_events.c.webhook_id.in_(ids))):
        events[row.webhook_id].append(WebhookEvent(row.entity, row.action))
    found = []
    for i in ids:
        if i not in rows:
            continue
        try:
            secret = box.open(rows[i].secret) if rows[i].secret else None
        except SecretUnreadable as error:
            if unreadable == "raise":
                raise
            log.error("Webhook %s: %s", i, error.message)
            if unreadable == "skip":
                continue
            secret = None
        found.append(_webhook(rows[i], sorted(events[i]), secret))
    return found


def _webhook(row: Any, events: list[WebhookEvent], secret: str | None) -> Webhook:
    return Webhook(
        webhook_id=row.webhook_id,
        name=row.name,
        url=row.url,
        events=events,
        creation_timestamp=row.creation_timestamp,
        last_updated_timestamp=row.last_updated_timestamp,
        description=row.description,
        status=WebhookStatus(row.status),
        secret=secret,
    )


def _require(
    conn: Connection, webhook_id: str, box: SecretBox, unreadable: Unreadable = "hide"
) -> Webhook:
    found = _load(conn, [webhook_id], box, unreadable)
    if not found:
        raise not_found(webhook_id)
    return found[0]


def _event_rows(webhook_id: str, events: Sequence[WebhookEvent]) -> list[dict[str, str]]:
    return [
        {"webhook_id": webhook_id, "entity": e.entity.value, "action": e.action.value}
        for e in events
    ]


def seal_plain_secrets(db: Database, box: SecretBox) -> int:
    """Encrypt the secrets stored in plain text (as mltrail wrote them before encrypting); return
    how many.

    Without a key (a server database and no key set) they stay readable as they are, and a
    warning says how to seal them. Safe to run from several processes at once; costs one read
    when there is nothing to seal.
    """
    plain = webhooks.c.secret.isnot(None) & ~webhooks.c.secret.startswith(PREFIX, autoescape=True)
    query = select(webhooks.c.webhook_id, webhooks.c.secret).where(plain)
    rows: list[tuple[str, str]] = db.read(
        lambda conn: [(r.webhook_id, r.secret) for r in conn.execute(query)]
    )
    if not rows:
        return 0
    if not box.available:
        log.warning(
            "%d webhook secret(s) are stored unencrypted; set %s so the server encrypts them.",
            len(rows),
            KEY_VARIABLE,
        )
        return 0
    sealed = [(webhook_id, secret, box.seal(secret)) for webhook_id, secret in rows]

    def work(conn: Connection) -> int:
        done = 0
        for webhook_id, secret, value in sealed:
            # Only if still that plain text: another process may have sealed or changed it.
            done += conn.execute(
                update(webhooks)
                .where(webhooks.c.webhook_id == webhook_id, webhooks.c.secret == secret)
                .values(secret=value)
            ).rowcount
        return done

    return db.write(work)


class WebhooksMixin:
    _db: Database
    _secret_box: SecretBox | None = None

    def _box(self) -> SecretBox:
        """The keys for this database's secrets (read from the settings once per store)."""
        if self._secret_box is None:
            key = Settings.from_env().webhook_secret_encryption_key
            self._secret_box = SecretBox.from_setting(key, sqlite_path(self._db.engine.url))
        return self._secret_box

    def _seal(self, secret: str | None) -> str | None:
        return self._box().seal(secret) if secret else None

    def create_webhook(
        self,
        name: str,
        url: str,
        events: Sequence[WebhookEvent | str],
        description: str | None = None,
        secret: str | None = None,
        status: WebhookStatus | str | None = None,
    ) -> Webhook:
        check_webhook_name(name)
        url = check_webhook_url(url)
        parsed = parse_events(events)
        state = WebhookStatus.parse(status)
        sealed = self._seal(secret)
        webhook_id = str(uuid.uuid4())

        def work(conn: Connection) -> Webhook:
            when = now_ms()
            conn.execute(
                insert(webhooks).values(
                    webhook_id=webhook_id,
                    name=name,
                    description=description,
                    url=url,
                    status=state.value,
                    secret=sealed,
                    creation_timestamp=when,
                    last_updated_timestamp=when,
                )
            )
            conn.execute(insert(webhook_events), _event_rows(webhook_id, parsed))
            return _require(conn, webhook_id, self._box())

        return self._db.write(work)

    def get_webhook(self, webhook_id: str) -> Webhook:
        return self._db.read(lambda conn: _require(conn, webhook_id, self._box()))

    def list_webhooks(
        self, max_results: int | None = None, page_token: str | None = None
    ) -> PagedList[Webhook]:
        return self._page(select(webhooks.c.webhook_id), max_results, page_token, "hide")

    def list_webhooks_by_event(
        self,
        event: WebhookEvent,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Webhook]:
        """The ACTIVE webhooks listening to `event` (what a delivery goes to); a webhook whose
        secret cannot be decrypted is left out rather than sent unsigned."""
        query = (
            select(webhooks.c.webhook_id)
            .join(webhook_events, webhook_events.c.webhook_id == webhooks.c.webhook_id)
            .where(
                webhook_events.c.entity == event.entity.value,
                webhook_events.c.action == event.action.value,
                webhooks.c.status == WebhookStatus.ACTIVE.value,
            )
        )
        return self._page(query, max_results, page_token, "skip")

    def _page(
        self, query: Any, max_results: int | None, page_token: str | None, unreadable: Unreadable
    ) -> PagedList[Webhook]:
        limit = _limit(max_results)
        offset = decode_offset(page_token)
        ordered = query.order_by(webhooks.c.creation_timestamp.desc(), webhooks.c.webhook_id)

        def work(conn: Connection) -> PagedList[Webhook]:
            ids = list(conn.execute(ordered.offset(offset).limit(limit + 1)).scalars())
            more = len(ids) > limit
            found = _load(conn, ids[:limit], self._box(), unreadable)
            return PagedList(found, next_page_token(offset, limit, more))

        return self._db.read(work)

    def update_webhook(
        self,
        webhook_id: str,
        name: str | None = None,
        description: str | None = None,
        url: str | None = None,
        events: Sequence[WebhookEvent | str] | None = None,
        secret: str | None = None,
        status: WebhookStatus | str | None = None,
    ) -> Webhook:
        """Change the given fields; None leaves a field as it is."""
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = check_webhook_name(name)
        if url is not None:
            values["url"] = check_webhook_url(url)
        if description is not None:
            values["description"] = description
        if secret is not None:
            values["secret"] = self._seal(secret)  # "" removes the secret
        if status is not None:
            values["status"] = WebhookStatus.parse(status).value
        parsed = parse_events(events) if events is not None else None

        def work(conn: Connection) -> Webhook:
            _require(conn, webhook_id, self._box())
            conn.execute(
                update(webhooks)
                .where(webhooks.c.webhook_id == webhook_id)
                .values(**values, last_updated_timestamp=now_ms())
            )
            if parsed is not None:
                conn.execute(
                    delete(webhook_events).where(webhook_events.c.webhook_id == webhook_id)
                )
                conn.execute(insert(webhook_events), _event_rows(webhook_id, parsed))
            return _require(conn, webhook_id, self._box())

        return self._db.write(work)

    def delete_webhook(self, webhook_id: str) -> None:
        def work(conn: Connection) -> None:
            deleted = conn.execute(delete(webhooks).where(webhooks.c.webhook_id == webhook_id))
            if deleted.rowcount == 0:
                raise not_found(webhook_id)

        self._db.write(work)

    def test_webhook(
        self, webhook_id: str, event: WebhookEvent | str | None = None
    ) -> WebhookTestResult:
        """Send the example payload of `event` (default: its first event) from this process."""
        from mltrail.webhooks.delivery import send_test

        webhook = self._db.read(lambda conn: _require(conn, webhook_id, self._box(), "raise"))
        chosen = WebhookEvent.from_str(event) if isinstance(event, str) else event
        return send_test(webhook, chosen, _options())
