"""Engines: driver choice for bare URIs, SQLite tuning, pool settings for servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from mltrail.store.tracking.sql import SqlTrackingStore
from mltrail.store.tracking.sql.engine import normalize_url
from mltrail.testing.databases import temporary_database


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("mysql://u@h/db", "mysql+pymysql://u@h/db?charset=utf8mb4"),
        ("mariadb://u@h/db", "mariadb+pymysql://u@h/db?charset=utf8mb4"),
        ("mysql+pymysql://u@h/db?charset=latin1", "mysql+pymysql://u@h/db?charset=latin1"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_bare_uris_get_our_drivers(uri: str, expected: str) -> None:
    assert normalize_url(uri).render_as_string(hide_password=False) == expected


def test_sqlite_is_tuned_and_parent_folders_are_created(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "er" / "mltrail.db"
    with SqlTrackingStore(f"sqlite:///{db}") as store, store.engine.connect() as conn:
        pragmas = {
            name: conn.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert db.is_file()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
        "busy_timeout": 30000,
    }


def test_in_memory_sqlite_works_across_threads() -> None:
    import threading

    with SqlTrackingStore("sqlite://") as store:
        exp_id = store.create_experiment("memory")
        found: list[str] = []
        worker = threading.Thread(target=lambda: found.append(store.get_experiment(exp_id).name))
        worker.start()
        worker.join()
        assert found == ["memory"]


@pytest.mark.parametrize("backend", ["postgres", "mysql"])
def test_server_pool_settings(backend: str, tmp_path: Path) -> None:
    with (
        temporary_database(backend, tmp_path) as uri,
        SqlTrackingStore(uri, pool_size=3, max_overflow=7) as store,
    ):
        pool = store.engine.pool
        assert (pool.size(), pool._max_overflow, pool._pre_ping) == (3, 7, True)  # type: ignore[attr-defined]
        assert pool._recycle > 0
