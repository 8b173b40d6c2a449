"""Reads any store mltrail opens: an http(s) tracking server (MLflow's or mltrail's, over
MLflow's REST API) or an mltrail database (the offline store that `mltrail sync` uploads)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from mltrail.entities import Experiment, LoggedModel, Metric, PagedList, Run, ViewType
from mltrail.entities.registry import ModelVersion, RegisteredModel
from mltrail.errors import MltrailError
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.store.tracking.base import TrackingStore
from mltrail.transfer.artifacts import SourceArtifacts

if TYPE_CHECKING:
    from mltrail.store.registry.base import RegistryStore

T = TypeVar("T")


def pages(fetch: Callable[[str | None], PagedList[T]]) -> Iterator[T]:
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page
        token = page.token
        if not token:
            return


class StoreSource:
    def __init__(
        self,
        tracking: TrackingStore,
        registry: RegistryStore | None,
        description: str,
        artifacts: SourceArtifacts,
    ) -> None:
        self.tracking = tracking
        self.registry = registry
        self.description = description
        self._artifacts = artifacts

    @classmethod
    def for_uri(cls, uri: str, artifacts: SourceArtifacts | None = None) -> StoreSource:
        from mltrail.store.registry import registry_store_for
        from mltrail.store.uri import scheme_of, tracking_store_for

        remote = scheme_of(uri) in ("http", "https")
        if artifacts is None:
            artifacts = SourceArtifacts(server_url=uri if remote else None)
        return cls(tracking_store_for(uri), registry_store_for(uri), uri, artifacts)

    def close(self) -> None:
        for store in (self.tracking, self.registry):
            close = getattr(store, "close", None)
            if callable(close):
                close()

    def experiments(self) -> Iterator[Experiment]:
        found = list(pages(lambda t: self.tracking.search_experiments(ViewType.ALL, page_token=t)))
        yield from sorted(found, key=lambda e: (e.creation_time or 0, e.experiment_id))

    def runs(self, experiment_id: str) -> Iterator[Run]:
        found = list(
            pages(
                lambda t: self.tracking.search_runs(
                    [experiment_id], run_view_type=ViewType.ALL, page_token=t
                )
            )
        )
        yield from sorted(found, key=lambda r: (r.info.start_time or 0, r.info.run_id))

    def metric_history(self, run: Run) -> Iterator[Metric]:
        run_id = run.info.run_id
        for key in sorted({m.key for m in run.data.latest_metrics}):
            yield from pages(
                lambda t, key=key: self.tracking.get_metric_history(run_id, key, page_token=t)  # type: ignore[misc]
            )

    def deleted_time(self, run: Run) -> int | None:
        return None  # not on MLflow's wire; the copy records its own deletion time

    def artifacts(self, artifact_uri: str) -> ArtifactRepository | None:
        return self._artifacts.repository(artifact_uri)

    def registered_models(self) -> Iterator[RegisteredModel]:
        if self.registry is None:
            return
        registry = self.registry
        for model in pages(lambda t: registry.search_registered_models(page_token=t)):
            # A search answer may leave out tags or aliases; the model's own answer has them.
            yield registry.get_registered_model(model.name)

    def model_versions(self, name: str) -> list[ModelVersion]:
        if self.registry is None:
            return []
        registry = self.registry
        escaped = name.replace("'", "\\'")
        found = pages(lambda t: registry.search_model_versions(f"name = '{escaped}'", page_token=t))
        full = [registry.get_model_version(name, v.version) for v in found]
        return sorted(full, key=lambda v: int(v.version))

    def logged_model(self, model_id: str) -> LoggedModel | None:
        get = getattr(self.tracking, "get_logged_model", None)
        if get is None:
            return None
        try:
            model: LoggedModel = get(model_id)
        except MltrailError:
            return None
        return model
