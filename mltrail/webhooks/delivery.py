"""One webhook delivery: a signed JSON POST, retried with exponential backoff.

The connection is made by hand (`http.client` over a socket we open) so it goes to an address
`addresses.resolve_public` approved, and the peer is checked again once connected. Redirects are
not followed (a redirect could point anywhere) and environment proxies are not used.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mltrail.entities.webhook import Webhook, WebhookEvent, WebhookTestResult
from mltrail.settings import Settings
from mltrail.webhooks import addresses
from mltrail.webhooks.addresses import AddressRefused, Target
from mltrail.webhooks.payloads import example_payload
from mltrail.webhooks.signing import DELIVERY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RESPONSE_BYTES = 64 * 1024  # enough of a receiver's answer for a test result
MAX_BACKOFF_SECONDS = 60.0
USER_AGENT = "mltrail-webhooks"


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    allowed_schemes: tuple[str, ...] = ("https",)
    allow_private_ips: bool = False
    max_retries: int = 3
    timeout: float = 30.0
    backoff_factor: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryOptions:
        schemes = tuple(s.strip().lower() for s in settings.webhook_allowed_schemes.split(","))
        return cls(
            allowed_schemes=tuple(s for s in schemes if s),
            allow_private_ips=settings.webhook_allow_private_ips,
            max_retries=max(0, settings.webhook_request_max_retries),
            timeout=settings.webhook_request_timeout,
            backoff_factor=settings.webhook_request_backoff_factor,
        )


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str


class DeliveryError(Exception):
    """The receiver could not be reached (after every retry)."""


def event_body(event: WebhookEvent, payload: Mapping[str, Any]) -> str:
    return json.dumps(
        {
            "entity": event.entity.value,
            "action": event.action.value,
            "timestamp": datetime.now(UTC).isoformat(),
            "data": dict(payload),
        }
    )


def deliver(
    webhook: Webhook,
    event: WebhookEvent,
    payload: Mapping[str, Any],
    options: DeliveryOptions,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Answer:
    """POST `event` to the webhook; retry 429/5xx answers and connection errors.

    Raises AddressRefused or an InvalidParameter for a URL deliveries may not use, and
    DeliveryError when the last attempt could not connect. Every attempt is a new delivery id
    and timestamp, signed afresh, so a receiver can tell retries apart.
    """
    target = addresses.check_url(webhook.url, options.allowed_schemes)
    body = event_body(event, payload)
    attempt = 0
    while True:
        try:
            answer = _post(target, body, webhook.secret, options)
            if answer.status not in RETRY_STATUSES or attempt >= options.max_retries:
                return answer
            log.info("Webhook %s answered %s; retrying", webhook.webhook_id, answer.status)
        except AddressRefused:
            raise
        except (OSError, http.client.HTTPException) as error:
            if attempt >= options.max_retries:
                raise DeliveryError(f"{type(error).__name__}: {error}") from error
            log.info("Webhook %s unreachable (%s); retrying", webhook.webhook_id, error)
        sleep(min(options.backoff_factor * 2**attempt, MAX_BACKOFF_SECONDS))
        attempt += 1


def send_test(
    webhook: Webhook, event: WebhookEvent | None, options: DeliveryOptions
) -> WebhookTestResult:
    """Deliver the example payload of `event` (default: the webhook's first event)."""
    test_event = event or webhook.events[0]
    try:
        answer = deliver(webhook, test_event, example_payload(test_event), options)
    except Exception as error:  # refused, unreachable, or a URL deliveries may not use
        return WebhookTestResult(False, error_message=f"Failed to test webhook: {error}")
    return WebhookTestResult(answer.status < 400, answer.status, answer.body)


def _post(target: Target, body: str, secret: str | None, options: DeliveryOptions) -> Answer:
    delivery_id = str(uuid.uuid4())
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        DELIVERY_ID_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, delivery_id, timestamp, body)
    connection = _connect(target, options)
    try:
        connection.request("POST", target.path, body=body.encode(), headers=headers)
        with connection.getresponse() as response:
            text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
            return Answer(response.status, text)
    finally:
        connection.close()


def _connect(target: Target, options: DeliveryOptions) -> http.client.HTTPConnection:
    """A connection to an approved address of the target, TLS-wrapped for https."""
    allow = options.allow_private_ips
    last_error: OSError | None = None
    for address in addresses.resolve_public(target.host, target.port, allow_private=allow):
        try:
            sock = socket.create_connection((str(address), target.port), options.timeout)
        except OSError as error:
            last_error = error
            continue
        try:
            _check_peer(sock, allow)
            if target.scheme == "https":
                context = ssl.create_default_context()
                sock = context.wrap_socket(sock, server_hostname=target.host)
        except BaseException:
            sock.close()
            raise
        connection = http.client.HTTPConnection(target.host, target.port, timeout=options.timeout)
        connection.sock = sock  # http.client sends on a socket that is already connected
        return connection
    raise last_error or OSError(f"no address to connect to for {target.host}")


def _check_peer(sock: socket.socket, allow_private: bool) -> None:
    if allow_private:
        return
    peer = ipaddress.ip_address(str(sock.getpeername()[0]).split("%", 1)[0])
    if not addresses.is_public(peer):
        raise AddressRefused(f"Refusing to deliver a webhook to private address {peer}.")
