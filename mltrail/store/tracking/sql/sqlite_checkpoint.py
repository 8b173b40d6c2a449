"""Write-ahead-log checkpoints of a SQLite database, off the write path.

SQLite copies the log back into the database file (a checkpoint) inside the commit that takes
the log past `wal_autocheckpoint` pages: that commit, and every write queued behind it, waits
for the copy (about 100 ms for 10,000 pages here, which were the tracking server's slowest
requests). Instead a background thread runs PASSIVE checkpoints a few times a second; they never
wait for or block writers, so the log stays short and commits stay small. The automatic
checkpoint remains as a distant safety net (`SAFETY_NET_PAGES`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from pathlib import Path

INTERVAL_S = 0.25
SAFETY_NET_PAGES = 100_000  # ~400 MB: only reached if checkpoints cannot keep up


class Checkpointer:
    """Runs PASSIVE checkpoints of one database file while its owner is alive."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stop = threading.Event()
        self._pid = 0
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        """Start the thread (once per process: threads do not survive a fork)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._stop = threading.Event()
            # The thread holds only a weak reference: a store nobody closes still lets it end.
            thread = threading.Thread(
                target=_checkpoint_loop,
                args=(str(self.path), weakref.ref(self), self._stop),
                name="mltrail-sqlite-checkpoint",
                daemon=True,
            )
            thread.start()

    def stop(self) -> None:
        self._stop.set()


def _checkpoint_loop(
    path: str, owner: weakref.ReferenceType[Checkpointer], stop: threading.Event
) -> None:
    try:
        conn = sqlite3.connect(path)
    except sqlite3.Error:
        return  # the automatic checkpoint still bounds the log
    try:
        while not stop.wait(INTERVAL_S) and owner() is not None:
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                continue  # e.g. the file went away with its test; try again or end
    finally:
        conn.close()
