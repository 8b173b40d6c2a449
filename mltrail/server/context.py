"""What every handler works with: the settings, the stores and the artifact locations.

Built once by `create_app` and kept on ``app.state.context``; nothing is module-global.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from mltrail.entities.webhook import WebhookEvent
from mltrail.errors import ErrorCode, MltrailError
from mltrail.server.artifact_locations import ArtifactLocations
from mltrail.server.settings import ServerSettings
from mltrail.settings import Settings
from mltrail.store.registry import registry_store_for
from mltrail.store.registry.base import RegistryStore
from mltrail.store.tracking.base import LoggedModelStore, TrackingStore
from mltrail.store.uri import scheme_of, tracking_store_for
from mltrail.webhooks.delivery import DeliveryOptions
from mltrail.webhooks.dispatcher import WebhookDispatcher

T = TypeVar("T")


def _served(store: T | None) -> T:
    if store is None:
        raise MltrailError(
            "This server only serves artifacts (started with --artifacts-only).",
            ErrorCode.FEATURE_DISABLED,
        )
    return store


@dataclass(frozen=True)
class ServerContext:
    settings: ServerSettings
    artifacts: ArtifactLocations
    tracking_store: TrackingStore | None
    registry_store: RegistryStore | None
    # Short one-row writes run on the event loop (SQLite only: one local writer, no network).
    inline_short_writes: bool = False
    # Delivers registry events to webhooks in the background (None: artifacts-only server).
    webhooks: WebhookDispatcher | None = None

    @classmethod
    def build(cls, settings: ServerSettings) -> ServerContext:
        if settings.artifacts_only:
            return cls(settings, ArtifactLocations(settings), None, None)
        tracking = tracking_store_for(
            settings.backend_store_uri, artifact_root=settings.new_experiment_artifact_root
        )
        # Version sources may live under any artifact root this server owns.
        roots = [r for r in (settings.default_artifact_root, settings.artifacts_destination) if r]
        registry = registry_store_for(
            settings.registry_store_uri or settings.backend_store_uri,
            roots[0] if roots else None,
            roots[1:],
            tracking_store=tracking,
        )
        inline = scheme_of(settings.backend_store_uri) == "sqlite"
        env = Settings.from_env()
        dispatcher = WebhookDispatcher(
            registry,
            DeliveryOptions.from_settings(env),
            env.webhook_delivery_max_workers,
            env.webhook_cache_ttl,
        )
        return cls(settings, ArtifactLocations(settings), tracking, registry, inline, dispatcher)

    def fire(
        self, event: WebhookEvent, payload: Mapping[str, Any], *, model: str | None = None
    ) -> None:
        """Hand a registry event to the webhooks; returns at once (see WebhookDispatcher)."""
        if self.webhooks is not None:
            self.webhooks.fire(event, payload, model=model)

    def webhooks_changed(self) -> None:
        """Webhooks were created, changed or deleted: look subscribers up afresh."""
        if self.webhooks is not None:
            self.webhooks.invalidate()

    @property
    def tracking(self) -> TrackingStore:
        return _served(self.tracking_store)

    @property
    def registry(self) -> RegistryStore:
        return _served(self.registry_store)

    @property
    def models(self) -> LoggedModelStore:
        return cast("LoggedModelStore", self.tracking)
