"""The model registry store interface: registered models, their versions, tags and aliases.

Every backend (SQL, REST) implements `RegistryStore`; the contract suite in
`mltrail.testing.registry_contract` holds them to the same behaviour. Versions are passed and
returned as strings ("3"), as on MLflow's wire.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from mltrail.entities import PagedList
from mltrail.entities.registry import (
    ModelVersion,
    ModelVersionTag,
    RegisteredModel,
    RegisteredModelTag,
)
from mltrail.entities.webhook import Webhook, WebhookEvent, WebhookStatus, WebhookTestResult
from mltrail.store.registry.validation import (
    SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
)


@runtime_checkable
class RegisteredModelStore(Protocol):
    def create_registered_model(
        self,
        name: str,
        tags: Sequence[RegisteredModelTag] = (),
        description: str | None = None,
    ) -> RegisteredModel:
        """Names are unique (RESOURCE_ALREADY_EXISTS)."""
        ...

    def get_registered_model(self, name: str) -> RegisteredModel: ...

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel: ...

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """The versions, their tags and the aliases move with the model."""
        ...

    def delete_registered_model(self, name: str) -> None: ...

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """Models tagged `mlflow.prompt.is_prompt=true` are left out unless asked for."""
        ...

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each of `stages` (default: Staging and Production)."""
        ...

    def set_registered_model_tag(self, name: str, tag: RegisteredModelTag) -> None: ...

    def delete_registered_model_tag(self, name: str, key: str) -> None: ...

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None: ...

    def delete_registered_model_alias(self, name: str, alias: str) -> None: ...

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion: ...


@runtime_checkable
class ModelVersionStore(Protocol):
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Sequence[ModelVersionTag] = (),
        run_link: str | None = None,
        description: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        """The next version number of `name` (never reused), status READY, stage None."""
        ...

    def get_model_version(self, name: str, version: str) -> ModelVersion: ...

    def update_model_version(
        self, name: str, version: str, description: str | None
    ) -> ModelVersion: ...

    def transition_model_version_stage(
        self, name: str, version: str, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion: ...

    def delete_model_version(self, name: str, version: str) -> None:
        """Its tags and the aliases pointing at it go with it."""
        ...

    def get_model_version_download_uri(self, name: str, version: str) -> str: ...

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]: ...

    def set_model_version_tag(self, name: str, version: str, tag: ModelVersionTag) -> None: ...

    def delete_model_version_tag(self, name: str, version: str, key: str) -> None: ...

    def copy_model_version(self, src_mv: ModelVersion, dst_name: str) -> ModelVersion:
        """Register `src_mv` again as the next version of `dst_name` (created if missing),
        with source ``models:/<src name>/<src version>``."""
        ...


@runtime_checkable
class WebhookStore(Protocol):
    """Registry webhooks. Ids are opaque strings; a missing one is RESOURCE_DOES_NOT_EXIST."""

    def create_webhook(
        self,
        name: str,
        url: str,
        events: Sequence[WebhookEvent | str],
        description: str | None = None,
        secret: str | None = None,
        status: WebhookStatus | str | None = None,
    ) -> Webhook:
        """The URL must pass the delivery rules (scheme, no private address unless allowed)."""
        ...

    def get_webhook(self, webhook_id: str) -> Webhook: ...

    def list_webhooks(
        self, max_results: int | None = None, page_token: str | None = None
    ) -> PagedList[Webhook]:
        """Newest first; at most 1000 per page (default 100)."""
        ...

    def list_webhooks_by_event(
        self, event: WebhookEvent, max_results: int | None = None, page_token: str | None = None
    ) -> PagedList[Webhook]:
        """The ACTIVE webhooks listening to `event`, with their secrets (for signing)."""
        ...

    def update_webhook(
        self,
        webhook_id: str,
        name: str | None = None,
        description: str | None = None,
        url: str | None = None,
        events: Sequence[WebhookEvent | str] | None = None,
        secret: str | None = None,
        status: WebhookStatus | str | None = None,
    ) -> Webhook: ...

    def delete_webhook(self, webhook_id: str) -> None: ...

    def test_webhook(
        self, webhook_id: str, event: WebhookEvent | str | None = None
    ) -> WebhookTestResult:
        """Deliver an example payload of `event` (default: the webhook's first) now."""
        ...


@runtime_checkable
class RegistryStore(RegisteredModelStore, ModelVersionStore, WebhookStore, Protocol):
    """The whole registry; backends implement both parts."""
