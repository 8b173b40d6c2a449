"""What every part of the tracking client shares: its URIs, store, batcher and write routing."""

from __future__ import annotations

from collections.abc import Sequence

from mltrail.entities import LifecycleStage
from mltrail.errors import InvalidParameter
from mltrail.settings import Settings
from mltrail.store.tracking.base import TrackingStore
from mltrail.tracking import uris
from mltrail.tracking._stores import StoreHandle, handle_for
from mltrail.tracking.batching import Batcher, Item, RunOperations


class ClientBase:
    def __init__(self, tracking_uri: str | None = None, registry_uri: str | None = None) -> None:
        self._tracking_uri = uris.resolve_tracking_uri(tracking_uri)
        if registry_uri:
            self._registry_uri = registry_uri
        elif tracking_uri:
            self._registry_uri = tracking_uri
        else:
            self._registry_uri = uris.get_registry_uri()
        self._handle_: StoreHandle | None = None
        self._truncate = Settings.from_env().truncate_long_values

    @property
    def tracking_uri(self) -> str:
        return self._tracking_uri

    @property
    def _handle(self) -> StoreHandle:
        # Built on first use: constructing a client touches no database.
        handle = self._handle_
        if handle is None:
            handle = self._handle_ = handle_for(self._tracking_uri)
        return handle

    @property
    def _store(self) -> TrackingStore:
        return self._handle.store

    @property
    def _batcher(self) -> Batcher:
        return self._handle.batcher

    def _read_store(self) -> TrackingStore:
        """The store, after queued writes have landed (every read sees earlier writes)."""
        handle = self._handle
        handle.batcher.flush(raise_errors=False)
        return handle.store

    def _write(
        self, run_id: str, items: Sequence[Item], synchronous: bool | None
    ) -> RunOperations | None:
        """Record items now (`synchronous=True`) or through the batcher (the default)."""
        handle = self._handle
        if synchronous:
            handle.batcher.write_now(run_id, items)
            return None
        if run_id not in handle.known_runs:
            self._check_run_accepts_writes(run_id)
        if len(items) == 1:
            handle.batcher.submit(run_id, items[0])
        else:
            handle.batcher.submit_many(run_id, items)
        return RunOperations(handle.batcher) if synchronous is False else None

    def _check_run_accepts_writes(self, run_id: str) -> None:
        handle = self._handle
        info = handle.store.get_run(run_id).info
        if info.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidParameter(
                f"The run {run_id} must be in the 'active' state. "
                f"Current state is {info.lifecycle_stage}."
            )
        handle.known_runs.add(run_id)
