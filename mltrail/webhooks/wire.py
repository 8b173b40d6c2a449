"""Webhooks on MLflow's wire (``webhooks.proto`` as JSON): enum names upper-case, the secret
never sent back. ``*_to_dict`` serve the server, ``*_from_dict`` the REST store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mltrail.entities.webhook import Webhook, WebhookEvent, WebhookStatus, WebhookTestResult

Json = dict[str, Any]


def event_to_dict(event: WebhookEvent) -> Json:
    return {"entity": event.entity.value.upper(), "action": event.action.value.upper()}


def event_from_dict(d: Mapping[str, Any]) -> WebhookEvent:
    return WebhookEvent(str(d.get("entity", "")), str(d.get("action", "")))


def webhook_to_dict(webhook: Webhook) -> Json:
    fields: Json = {
        "webhook_id": webhook.webhook_id,
        "name": webhook.name,
        "description": webhook.description,
        "url": webhook.url,
        "events": [event_to_dict(e) for e in webhook.events],
        "status": webhook.status.value,
        "creation_timestamp": webhook.creation_timestamp,
        "last_updated_timestamp": webhook.last_updated_timestamp,
    }
    return {k: v for k, v in fields.items() if v is not None and v != ""}


def webhook_from_dict(d: Mapping[str, Any]) -> Webhook:
    return Webhook(
        webhook_id=str(d.get("webhook_id", "")),
        name=str(d.get("name", "")),
        url=str(d.get("url", "")),
        events=[event_from_dict(e) for e in d.get("events", ())],
        creation_timestamp=int(d.get("creation_timestamp", 0)),
        last_updated_timestamp=int(d.get("last_updated_timestamp", 0)),
        description=d.get("description"),
        status=WebhookStatus.parse(d.get("status")),
    )


def test_result_to_dict(result: WebhookTestResult) -> Json:
    fields: Json = {
        "success": result.success,
        "response_status": result.response_status,
        "response_body": result.response_body,
        "error_message": result.error_message,
    }
    return {k: v for k, v in fields.items() if v is not None}


def test_result_from_dict(d: Mapping[str, Any]) -> WebhookTestResult:
    status = d.get("response_status")
    return WebhookTestResult(
        success=bool(d.get("success", False)),
        response_status=None if status is None else int(status),
        response_body=d.get("response_body"),
        error_message=d.get("error_message"),
    )
