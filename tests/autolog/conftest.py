from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import mltrail

os.environ["OMP_NUM_THREADS"] = "1"


@pytest.fixture
def tracking(sqlite_uri: str) -> mltrail.MlflowClient:
    """A fresh SQLite tracking store as the current URI, and a client for reading it back."""
    mltrail.set_tracking_uri(sqlite_uri)
    return mltrail.MlflowClient(sqlite_uri)


@pytest.fixture
def sklearn_autolog(tracking: mltrail.MlflowClient) -> Iterator[mltrail.MlflowClient]:
    """sklearn autologging on for one test (off again afterwards)."""
    import mltrail.sklearn

    mltrail.sklearn.autolog()
    yield tracking
    mltrail.sklearn.autolog(disable=True)
