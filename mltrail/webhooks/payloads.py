"""The `data` of each event, as example values for test deliveries.

Real deliveries carry the same fields (see the route modules that fire them); receivers can
therefore be developed against `POST /webhooks/{id}/test` alone.
"""

from __future__ import annotations

from typing import Any

from mltrail.entities.webhook import WebhookAction, WebhookEntity, WebhookEvent

_TAGS = {"example_key": "example_value"}
_E, _A = WebhookEntity, WebhookAction

_EXAMPLES: dict[tuple[WebhookEntity, WebhookAction], dict[str, Any]] = {
    (_E.REGISTERED_MODEL, _A.CREATED): {
        "name": "example_model",
        "tags": _TAGS,
        "description": "An example registered model",
    },
    (_E.MODEL_VERSION, _A.CREATED): {
        "name": "example_model",
        "version": "1",
        "source": "models:/123",
        "run_id": "abcd1234abcd5678",
        "tags": _TAGS,
        "description": "An example model version",
    },
    (_E.MODEL_VERSION_TAG, _A.SET): {
        "name": "example_model",
        "version": "1",
        "key": "example_key",
        "value": "example_value",
    },
    (_E.MODEL_VERSION_TAG, _A.DELETED): {
        "name": "example_model",
        "version": "1",
        "key": "example_key",
    },
    (_E.MODEL_VERSION_ALIAS, _A.CREATED): {
        "name": "example_model",
        "alias": "example_alias",
        "version": "1",
    },
    (_E.MODEL_VERSION_ALIAS, _A.DELETED): {"name": "example_model", "alias": "example_alias"},
    (_E.PROMPT, _A.CREATED): {
        "name": "example_prompt",
        "tags": _TAGS,
        "description": "An example prompt",
    },
    (_E.PROMPT_VERSION, _A.CREATED): {
        "name": "example_prompt",
        "version": "1",
        "template": "Hello {{name}}!",
        "tags": _TAGS,
        "description": "An example prompt version",
    },
    (_E.PROMPT_TAG, _A.SET): {
        "name": "example_prompt",
        "key": "example_key",
        "value": "example_value",
    },
    (_E.PROMPT_TAG, _A.DELETED): {"name": "example_prompt", "key": "example_key"},
    (_E.PROMPT_VERSION_TAG, _A.SET): {
        "name": "example_prompt",
        "version": "1",
        "key": "example_key",
        "value": "example_value",
    },
    (_E.PROMPT_VERSION_TAG, _A.DELETED): {
        "name": "example_prompt",
        "version": "1",
        "key": "example_key",
    },
    (_E.PROMPT_ALIAS, _A.CREATED): {
        "name": "example_prompt",
        "alias": "example_alias",
        "version": "1",
    },
    (_E.PROMPT_ALIAS, _A.DELETED): {"name": "example_prompt", "alias": "example_alias"},
    (_E.BUDGET_POLICY, _A.EXCEEDED): {
        "budget_policy_id": "bp-example",
        "budget_unit": "USD",
        "budget_amount": 100.0,
        "current_spend": 105.5,
        "duration_unit": "MONTHS",
        "duration_value": 1,
        "target_scope": "ENDPOINT",
        "target_value": "example-endpoint",
    },
}


def example_payload(event: WebhookEvent) -> dict[str, Any]:
    """A fresh copy of the example `data` for `event` (every valid event has one)."""
    example = _EXAMPLES[(event.entity, event.action)]
    return {k: dict(v) if isinstance(v, dict) else v for k, v in example.items()}
