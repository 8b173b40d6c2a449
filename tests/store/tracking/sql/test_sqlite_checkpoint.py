"""WAL checkpoints happen in the background: the database file catches up with the log
without a commit paying for the copy, and the thread ends with its store."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from mltrail.store.tracking.sql import SqlTrackingStore

DEADLINE_S = 30.0


def _eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        threading.Event().wait(0.05)


def _checkpointers() -> int:
    return sum(t.name == "mltrail-sqlite-checkpoint" for t in threading.enumerate())


def _in_database_file_alone(db: Path, tmp_path: Path, name: str) -> bool:
    """Whether the main file, without its write-ahead log, already holds the experiment."""
    copy = tmp_path / "alone.db"
    shutil.copyfile(db, copy)
    with closing(sqlite3.connect(copy)) as conn:
        try:
            found = conn.execute("SELECT count(*) FROM experiments WHERE name = ?", (name,))
            return bool(found.fetchone()[0])
        except sqlite3.DatabaseError:  # no tables in the file yet, or the copy caught a
            return False  # checkpoint halfway through writing its pages


def test_log_is_checkpointed_in_the_background(tmp_path: Path) -> None:
    db = tmp_path / "mltrail.db"
    before = _checkpointers()
    store = SqlTrackingStore(f"sqlite:///{db}")
    store.create_experiment("checkpointed")
    assert (tmp_path / "mltrail.db-wal").exists()
    _eventually(lambda: _in_database_file_alone(db, tmp_path, "checkpointed"), "a checkpoint")
    assert _checkpointers() == before + 1
    store.close()
    _eventually(lambda: _checkpointers() == before, "the checkpoint thread to end")
