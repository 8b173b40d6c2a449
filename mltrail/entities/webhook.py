"""Registry webhooks: what a webhook listens to (events), its state, and a test delivery's result.

An event is an (entity, action) pair written ``"entity.action"`` (``"model_version.created"``);
only the pairs in `VALID_ACTIONS` exist. On MLflow's wire the names travel upper-case
(``{"entity": "MODEL_VERSION", "action": "CREATED"}``); in delivered payloads lower-case.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from mltrail.errors import InvalidParameter


class WebhookEntity(enum.StrEnum):
    REGISTERED_MODEL = "registered_model"
    MODEL_VERSION = "model_version"
    MODEL_VERSION_TAG = "model_version_tag"
    MODEL_VERSION_ALIAS = "model_version_alias"
    PROMPT = "prompt"
    PROMPT_VERSION = "prompt_version"
    PROMPT_TAG = "prompt_tag"
    PROMPT_VERSION_TAG = "prompt_version_tag"
    PROMPT_ALIAS = "prompt_alias"
    BUDGET_POLICY = "budget_policy"


class WebhookAction(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    SET = "set"
    EXCEEDED = "exceeded"


class WebhookStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"

    def is_active(self) -> bool:
        return self is WebhookStatus.ACTIVE

    @classmethod
    def parse(cls, status: WebhookStatus | str | None) -> WebhookStatus:
        """None means ACTIVE; names are matched case-insensitively."""
        if status is None:
            return cls.ACTIVE
        for member in cls:
            if member.value == str(status).strip().upper():
                return member
        raise InvalidParameter(
            f"Invalid webhook status: {status!r}. Valid statuses are: "
            f"{', '.join(m.value for m in cls)}."
        )


_E, _A = WebhookEntity, WebhookAction
# The only (entity, action) pairs MLflow defines.
VALID_ACTIONS: dict[WebhookEntity, tuple[WebhookAction, ...]] = {
    _E.REGISTERED_MODEL: (_A.CREATED,),
    _E.MODEL_VERSION: (_A.CREATED,),
    _E.MODEL_VERSION_TAG: (_A.SET, _A.DELETED),
    _E.MODEL_VERSION_ALIAS: (_A.CREATED, _A.DELETED),
    _E.PROMPT: (_A.CREATED,),
    _E.PROMPT_VERSION: (_A.CREATED,),
    _E.PROMPT_TAG: (_A.SET, _A.DELETED),
    _E.PROMPT_VERSION_TAG: (_A.SET, _A.DELETED),
    _E.PROMPT_ALIAS: (_A.CREATED, _A.DELETED),
    _E.BUDGET_POLICY: (_A.EXCEEDED,),
}


def _member(kind: type[enum.StrEnum], raw: object, what: str) -> str:
    text = str(raw.value if isinstance(raw, enum.Enum) else raw).strip().lower()
    if text not in {m.value for m in kind}:
        raise InvalidParameter(
            f"Invalid webhook {what}: {raw!r}. Valid values are: "
            f"{', '.join(m.value for m in kind)}."
        )
    return text


@dataclass(frozen=True, slots=True, order=True)
class WebhookEvent:
    """One (entity, action) pair; accepts enum members or their names in either case."""

    entity: WebhookEntity
    action: WebhookAction

    def __init__(self, entity: WebhookEntity | str, action: WebhookAction | str) -> None:
        parsed_entity = WebhookEntity(_member(WebhookEntity, entity, "entity"))
        parsed_action = WebhookAction(_member(WebhookAction, action, "action"))
        valid = VALID_ACTIONS[parsed_entity]
        if parsed_action not in valid:
            raise InvalidParameter(
                f"Invalid action '{parsed_action}' for entity '{parsed_entity}'. "
                f"Valid actions are: {[a.value for a in valid]}"
            )
        object.__setattr__(self, "entity", parsed_entity)
        object.__setattr__(self, "action", parsed_action)

    @classmethod
    def from_str(cls, text: str) -> WebhookEvent:
        parts = str(text).split(".")
        if len(parts) != 2:
            raise InvalidParameter(
                f"Invalid event string format: {text}. Expected format: 'entity.action' "
                "(e.g., 'registered_model.created')"
            )
        return cls(parts[0], parts[1])

    def __str__(self) -> str:
        return f"{self.entity}.{self.action}"


def parse_events(events: Iterable[WebhookEvent | str] | None) -> list[WebhookEvent]:
    """A webhook's events: at least one, each valid; duplicates dropped, in a stable order."""
    items = list(events or ())
    if not items:
        raise InvalidParameter(
            f"Webhook events must be a non-empty list of WebhookEvent objects: {items}."
        )
    parsed = {e if isinstance(e, WebhookEvent) else WebhookEvent.from_str(e) for e in items}
    return sorted(parsed)


@dataclass(frozen=True, slots=True)
class Webhook:
    """A registered endpoint. `secret` signs deliveries; servers never send it back."""

    webhook_id: str
    name: str
    url: str
    events: list[WebhookEvent]
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None = None
    status: WebhookStatus = WebhookStatus.ACTIVE
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class WebhookTestResult:
    """What a test delivery got: the receiver's status and body, or why it failed."""

    success: bool
    response_status: int | None = None
    response_body: str | None = None
    error_message: str | None = None
