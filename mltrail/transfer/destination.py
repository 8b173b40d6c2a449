"""What a copy writes to: any mltrail tracking store and its registry, by URI.

An mltrail SQL database keeps source run ids and timestamps (`_sql_fidelity`); a tracking
server assigns its own run ids, which the ledger maps. Writes go in `log_batch`-sized chunks
(the batcher's `chunk_items`), never one call per value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mltrail.entities import (
    DatasetInput,
    Experiment,
    ExperimentTag,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunTag,
)
from mltrail.errors import MltrailError
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.transfer import _sql_fidelity as fidelity
from mltrail.transfer.artifacts import open_repository

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from mltrail.store.registry.base import RegistryStore
    from mltrail.store.tracking.base import TrackingStore

Item = Metric | Param | RunTag
_DELETED = LifecycleStage.DELETED.value


def _is_missing(exc: MltrailError) -> bool:
    return exc.error_code == "RESOURCE_DOES_NOT_EXIST"


class Destination:
    def __init__(self, uri: str) -> None:
        from mltrail.store.uri import scheme_of, tracking_store_for

        self.uri = uri
        self.remote = scheme_of(uri) in ("http", "https")
        self.tracking: TrackingStore = tracking_store_for(uri)
        self._registry: RegistryStore | None = None
        engine: Engine | None = getattr(self.tracking, "engine", None)
        # Ids and times are kept only where we own the tables: mltrail's SQL store.
        self.engine = None if self.remote else engine
        self.keeps_ids = self.engine is not None

    @property
    def registry(self) -> RegistryStore:
        if self._registry is None:
            from mltrail.store.registry import registry_store_for

            self._registry = registry_store_for(self.uri)
        return self._registry

    def close(self) -> None:
        for store in (self.tracking, self._registry):
            close = getattr(store, "close", None)
            if callable(close):
                close()

    # -- experiments -----------------------------------------------------------------------
    def find_experiment(self, name: str) -> Experiment | None:
        return self.tracking.get_experiment_by_name(name)

    def open_experiment(self, source: Experiment) -> tuple[str, bool]:
        """The destination experiment of the same name, made active and given the source's
        tags; created when missing. Returns (id, created)."""
        found = self.find_experiment(source.name)
        if found is None:
            tags = [ExperimentTag(k, v) for k, v in source.tags.items()]
            new_id = self.tracking.create_experiment(source.name, None, tags)
            if self.engine is not None:
                fidelity.set_experiment_times(
                    self.engine, new_id, source.creation_time, source.last_update_time
                )
            return new_id, True
        older = source.creation_time and source.creation_time < (found.creation_time or 0)
        if self.engine is not None and older:
            # The destination's copy is younger (e.g. the auto-created Default): the
            # experiment has existed since the source created it.
            fidelity.set_experiment_times(
                self.engine, found.experiment_id, source.creation_time, found.last_update_time
            )
        if found.lifecycle_stage == _DELETED:
            self.tracking.restore_experiment(found.experiment_id)  # runs are added to it
        for key, value in source.tags.items():
            if found.tags.get(key) != value:
                self.tracking.set_experiment_tag(found.experiment_id, ExperimentTag(key, value))
        return found.experiment_id, False

    def close_experiment(self, experiment_id: str, source: Experiment) -> None:
        if source.lifecycle_stage == _DELETED:
            self.tracking.delete_experiment(experiment_id)

    # -- runs ------------------------------------------------------------------------------
    def run_exists(self, run_id: str) -> bool:
        try:
            self.tracking.get_run(run_id)
        except MltrailError as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def create_run(self, experiment_id: str, run: Run) -> str:
        """A new run for `run`: its own id where the store allows, else a new one."""
        if self.engine is not None:
            location = self.tracking.get_experiment(experiment_id).artifact_location
            fidelity.insert_run(self.engine, run, experiment_id, location)
            return run.info.run_id
        info = run.info
        created = self.tracking.create_run(
            experiment_id, info.user_id, info.start_time, [], info.run_name or None
        )
        return created.info.run_id

    def write_items(self, run_id: str, items: Iterable[Item]) -> int:
        """Write items in `log_batch` chunks; returns how many chunks were sent."""
        from mltrail.tracking.batching import chunk_items

        sent = 0
        for chunk in chunk_items(items):
            chunk.write_to(self.tracking, run_id)
            sent += 1
        return sent

    def write_inputs(self, run_id: str, inputs: Iterable[DatasetInput]) -> None:
        datasets = list(inputs)
        if datasets:
            self.tracking.log_inputs(run_id, datasets)

    def reopen_run(self, run_id: str) -> None:
        """Make a run of an interrupted copy writable again (it may have been deleted)."""
        if self.tracking.get_run(run_id).info.lifecycle_stage == _DELETED:
            self.tracking.restore_run(run_id)

    def close_run(self, run_id: str, run: Run, deleted_time: int | None) -> None:
        """Give the run its final status, end time and lifecycle stage."""
        info = run.info
        if self.engine is None:
            self.tracking.update_run_info(run_id, info.status, info.end_time, None)
        if info.lifecycle_stage == _DELETED:
            self.tracking.delete_run(run_id)
            if self.engine is not None:
                fidelity.set_run_deleted_time(self.engine, run_id, deleted_time)

    def artifact_uri(self, run_id: str) -> str:
        return self.tracking.get_run(run_id).info.artifact_uri

    def artifacts(self, artifact_uri: str) -> ArtifactRepository:
        return open_repository(artifact_uri, self.uri if self.remote else None)

    # -- registry timestamps ---------------------------------------------------------------
    def keep_registry_times(
        self, name: str, version: str | None, creation: int, last_update: int | None
    ) -> None:
        engine: Any = getattr(self.registry, "engine", None)
        if self.keeps_ids and engine is not None and creation:
            fidelity.set_registry_times(engine, name, version, creation, last_update)
