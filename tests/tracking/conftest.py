from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.store.tracking.base import TrackingStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The embedded default store of a test (the cwd is tmp_path)."""
    return tmp_path / "mltrail.db"


@pytest.fixture
def db_file_uri(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


@pytest.fixture
def reader(db_file_uri: str) -> Iterator[TrackingStore]:
    """A separate store on the default database: it sees only what has been written."""
    from mltrail.store.uri import tracking_store_for

    store = tracking_store_for(db_file_uri)
    yield store
    close = getattr(store, "close", None)
    if close is not None:
        close()
