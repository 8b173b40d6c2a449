from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.testing.databases import BACKENDS, temporary_database


@pytest.fixture(params=BACKENDS)
def db_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URI on each backend: SQLite, PostgreSQL and MariaDB."""
    with temporary_database(request.param, tmp_path) as uri:
        yield uri


@pytest.fixture
def sqlite_uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mltrail.db'}"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Tests never see the developer's MLflow/mltrail settings, never write to the repo, and
    start with no active run, set URI or experiment, or cached store."""
    for name in list(os.environ):
        if name.startswith(("MLFLOW_", "MLTRAIL_")) and not name.startswith("MLTRAIL_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield
    from mltrail.tracking import context

    context.reset_all()
    # The fluent API exports these for child processes, as MLflow does.
    for name in list(os.environ):
        if name.startswith(("MLFLOW_", "MLTRAIL_")) and not name.startswith("MLTRAIL_TEST_"):
            del os.environ[name]
