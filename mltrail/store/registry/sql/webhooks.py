"""Registry webhooks in SQL: create, read, list (paged, newest first), update, delete, and a
test delivery sent from this process.

The secret is stored as given (the database is trusted with it, as with the backend URI) and
only ever leaves the store inside the `Webhook` entity used for signing; the server's wire
codec never writes it.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
from mltrail.store.tracking.sql.engine import Database
from mltrail.webhooks.addresses import check_destination

if TYPE_CHECKING:
    from mltrail.webhooks.delivery import DeliveryOptions

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


def _load(conn: Connection, ids: Sequence[str]) -> list[Webhook]:
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
    return [_webhook(rows[i], sorted(events[i])) for i in ids if i in rows]


def _webhook(row: Any, events: list[WebhookEvent]) -> Webhook:
    return Webhook(
        webhook_id=row.webhook_id,
        name=row.name,
        url=row.url,
        events=events,
        creation_timestamp=row.creation_timestamp,
        last_updated_timestamp=row.last_updated_timestamp,
        description=row.description,
        status=WebhookStatus(row.status),
        secret=row.secret,
    )


def _require(conn: Connection, webhook_id: str) -> Webhook:
    found = _load(conn, [webhook_id])
    if not found:
        raise not_found(webhook_id)
    return found[0]


def _event_rows(webhook_id: str, events: Sequence[WebhookEvent]) -> list[dict[str, str]]:
    return [
        {"webhook_id": webhook_id, "entity": e.entity.value, "action": e.action.value}
        for e in events
    ]


class WebhooksMixin:
    _db: Database

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
                    secret=secret or None,
                    creation_timestamp=when,
                    last_updated_timestamp=when,
                )
            )
            conn.execute(insert(webhook_events), _event_rows(webhook_id, parsed))
            return _require(conn, webhook_id)

        return self._db.write(work)

    def get_webhook(self, webhook_id: str) -> Webhook:
        return self._db.read(lambda conn: _require(conn, webhook_id))

    def list_webhooks(
        self, max_results: int | None = None, page_token: str | None = None
    ) -> PagedList[Webhook]:
        return self._page(select(webhooks.c.webhook_id), max_results, page_token)

    def list_webhooks_by_event(
        self,
        event: WebhookEvent,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Webhook]:
        """The ACTIVE webhooks listening to `event` (what a delivery goes to)."""
        query = (
            select(webhooks.c.webhook_id)
            .join(webhook_events, webhook_events.c.webhook_id == webhooks.c.webhook_id)
            .where(
                webhook_events.c.entity == event.entity.value,
                webhook_events.c.action == event.action.value,
                webhooks.c.status == WebhookStatus.ACTIVE.value,
            )
        )
        return self._page(query, max_results, page_token)

    def _page(
        self, query: Any, max_results: int | None, page_token: str | None
    ) -> PagedList[Webhook]:
        limit = _limit(max_results)
        offset = decode_offset(page_token)
        ordered = query.order_by(webhooks.c.creation_timestamp.desc(), webhooks.c.webhook_id)

        def work(conn: Connection) -> PagedList[Webhook]:
            ids = list(conn.execute(ordered.offset(offset).limit(limit + 1)).scalars())
            more = len(ids) > limit
            return PagedList(_load(conn, ids[:limit]), next_page_token(offset, limit, more))

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
            values["secret"] = secret or None  # "" removes the secret
        if status is not None:
            values["status"] = WebhookStatus.parse(status).value
        parsed = parse_events(events) if events is not None else None

        def work(conn: Connection) -> Webhook:
            _require(conn, webhook_id)
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
            return _require(conn, webhook_id)

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

        webhook = self.get_webhook(webhook_id)
        chosen = WebhookEvent.from_str(event) if isinstance(event, str) else event
        return send_test(webhook, chosen, _options())
