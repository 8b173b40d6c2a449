"""Registry webhooks: create, list, get, update, delete, test (MLflow's WebhookService, under
/api/2.0/mlflow/webhooks and /ajax-api/2.0/mlflow/webhooks). The secret is never answered."""

from __future__ import annotations

from dataclasses import dataclass

from mltrail.entities.webhook import WebhookEvent
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import Json, api_routes
from mltrail.webhooks.wire import test_result_to_dict, webhook_to_dict


@dataclass(frozen=True)
class EventMessage:
    entity: str
    action: str

    def parsed(self) -> WebhookEvent:
        return WebhookEvent(self.entity, self.action)


@dataclass(frozen=True)
class CreateWebhook:
    name: str
    url: str
    events: tuple[EventMessage, ...]
    description: str | None = None
    secret: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class WebhookRef:
    webhook_id: str


@dataclass(frozen=True)
class ListWebhooks:
    max_results: int | None = None
    page_token: str | None = None


@dataclass(frozen=True)
class UpdateWebhook:
    webhook_id: str
    name: str | None = None
    description: str | None = None
    url: str | None = None
    events: tuple[EventMessage, ...] | None = None
    secret: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class TestWebhook:
    webhook_id: str
    event: EventMessage | None = None


def create_webhook(ctx: ServerContext, req: CreateWebhook) -> Json:
    webhook = ctx.registry.create_webhook(
        req.name,
        req.url,
        [e.parsed() for e in req.events],
        req.description,
        req.secret,
        req.status,
    )
    ctx.webhooks_changed()
    return {"webhook": webhook_to_dict(webhook)}


def list_webhooks(ctx: ServerContext, req: ListWebhooks) -> Json:
    page = ctx.registry.list_webhooks(req.max_results, req.page_token)
    return {"webhooks": [webhook_to_dict(w) for w in page], "next_page_token": page.token}


def get_webhook(ctx: ServerContext, req: WebhookRef) -> Json:
    return {"webhook": webhook_to_dict(ctx.registry.get_webhook(req.webhook_id))}


def update_webhook(ctx: ServerContext, req: UpdateWebhook) -> Json:
    # An empty list cannot be told from an unset one on the wire: both leave events alone.
    events = [e.parsed() for e in req.events] if req.events else None
    webhook = ctx.registry.update_webhook(
        req.webhook_id, req.name, req.description, req.url, events, req.secret, req.status
    )
    ctx.webhooks_changed()
    return {"webhook": webhook_to_dict(webhook)}


def delete_webhook(ctx: ServerContext, req: WebhookRef) -> None:
    ctx.registry.delete_webhook(req.webhook_id)
    ctx.webhooks_changed()


def test_webhook(ctx: ServerContext, req: TestWebhook) -> Json:
    event = req.event.parsed() if req.event else None
    return {"result": test_result_to_dict(ctx.registry.test_webhook(req.webhook_id, event))}


_BASE = "/webhooks"
_ONE = "/webhooks/{webhook_id}"
routes = [
    *api_routes(_BASE, "POST", CreateWebhook, create_webhook),
    *api_routes(_BASE, "GET", ListWebhooks, list_webhooks),
    *api_routes(_ONE, "GET", WebhookRef, get_webhook),
    *api_routes(_ONE, "PATCH", UpdateWebhook, update_webhook),
    *api_routes(_ONE, "DELETE", WebhookRef, delete_webhook),
    *api_routes(f"{_ONE}/test", "POST", TestWebhook, test_webhook),
]
