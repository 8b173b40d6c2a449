"""One tracking store and one write batcher per tracking URI, built once per process.

Every client of the same URI shares them, so writes queued by the fluent API are visible to
any client's reads (each read flushes the shared batcher first).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from mltrail.store.tracking.base import TrackingStore
from mltrail.tracking.batching import Batcher


@dataclass(eq=False)
class StoreHandle:
    uri: str
    store: TrackingStore
    batcher: Batcher
    # Runs seen to exist and be active; queued writes to other ids are checked first so a
    # typo'd run id fails at the call, not later in the background.
    known_runs: set[str] = field(default_factory=set)
    # run id -> artifact URI; a run's artifact location never changes.
    artifact_uris: dict[str, str] = field(default_factory=dict)


_handles: dict[str, StoreHandle] = {}
_lock = threading.Lock()


def handle_for(tracking_uri: str) -> StoreHandle:
    key = store_key(tracking_uri)
    handle = _handles.get(key)
    if handle is None:
        with _lock:
            handle = _handles.get(key)
            if handle is None:
                handle = _handles[key] = _build(key)
    return handle


def store_key(tracking_uri: str) -> str:
    """The URI with folder paths resolved and SQLite paths made absolute (cwd may change)."""
    from mltrail.store.uri import resolve_tracking_uri

    uri = resolve_tracking_uri(tracking_uri)
    prefix = "sqlite:///"
    if uri.startswith(prefix):
        path, sep, query = uri[len(prefix) :].partition("?")
        if path and path != ":memory:" and not path.startswith("/"):
            uri = f"{prefix}{Path(path).absolute()}{sep}{query}"
    return uri


def _build(uri: str) -> StoreHandle:
    from mltrail.settings import Settings
    from mltrail.store.uri import tracking_store_for

    store = tracking_store_for(uri, artifact_root=Settings.from_env().default_artifact_root)
    return StoreHandle(uri=uri, store=store, batcher=Batcher(store))


def clear() -> None:
    """Flush and forget every cached store (tests use it between cases)."""
    with _lock:
        handles = list(_handles.values())
        _handles.clear()
    for handle in handles:
        handle.batcher.close()
        close = getattr(handle.store, "close", None) or getattr(handle.store, "dispose", None)
        if callable(close):
            close()
    from mltrail.store.artifacts.http import close_shared_clients

    close_shared_clients()
