"""What every handler works with: the settings, the stores and the artifact locations.

Built once by `create_app` and kept on ``app.state.context``; nothing is module-global.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from mltrail.errors import ErrorCode, MltrailError
from mltrail.server.artifact_locations import ArtifactLocations
from mltrail.server.settings import ServerSettings
from mltrail.store.tracking.base import LoggedModelStore, TrackingStore
from mltrail.store.uri import tracking_store_for


@dataclass(frozen=True)
class ServerContext:
    settings: ServerSettings
    artifacts: ArtifactLocations
    tracking_store: TrackingStore | None

    @classmethod
    def build(cls, settings: ServerSettings) -> ServerContext:
        store = None
        if not settings.artifacts_only:
            store = tracking_store_for(
                settings.backend_store_uri, artifact_root=settings.new_experiment_artifact_root
            )
        return cls(settings, ArtifactLocations(settings), store)

    @property
    def tracking(self) -> TrackingStore:
        if self.tracking_store is None:
            raise MltrailError(
                "This server only serves artifacts (started with --artifacts-only).",
                ErrorCode.FEATURE_DISABLED,
            )
        return self.tracking_store

    @property
    def models(self) -> LoggedModelStore:
        return cast("LoggedModelStore", self.tracking)
