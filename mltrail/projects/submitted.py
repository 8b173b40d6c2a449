"""A launched project run: its process group, its final status, and cancelling it.

The entry point runs in a new session (its own process group), so `cancel()` (and Ctrl-C in
`mltrail run`) stops the command and everything it started, and nothing is left orphaned.
A watcher thread records FINISHED, FAILED or KILLED when the process ends, so the status is
right even for runs nobody waits on.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from mltrail.entities import RunStatus

TERMINATE_GRACE_SECONDS = 10.0


class SubmittedRun:
    """MLflow's SubmittedRun: `run_id`, `wait()`, `get_status()`, `cancel()`."""

    def __init__(
        self,
        run_id: str,
        process: subprocess.Popen[bytes],
        set_terminated: Callable[[str, str], None],
        cleanup_dir: Path | None = None,
    ) -> None:
        self._run_id = run_id
        self._process = process
        self._set_terminated = set_terminated
        self._cleanup_dir = cleanup_dir
        self._cancelled = False
        self._status: str | None = None
        self._lock = threading.Lock()
        self._watcher = threading.Thread(
            target=self._watch, name=f"mltrail-project-{run_id}", daemon=True
        )
        self._watcher.start()

    @property
    def run_id(self) -> str:
        return self._run_id

    @property
    def pid(self) -> int:
        return self._process.pid

    def wait(self) -> bool:
        """Block until the entry point ends; True when it succeeded."""
        self._watcher.join()
        return self._status == RunStatus.FINISHED.name

    def get_status(self) -> str:
        """RUNNING while the process lives, then FINISHED, FAILED or KILLED."""
        return self._status or RunStatus.RUNNING.name

    def cancel(self) -> None:
        """Stop the entry point and its whole process group; the run ends KILLED."""
        with self._lock:
            if self._status is not None:
                return
            self._cancelled = True
        kill_group(self._process.pid, self._process)
        self._watcher.join()

    def _watch(self) -> None:
        code = self._process.wait()
        with self._lock:
            if self._cancelled:
                status = RunStatus.KILLED
            else:
                status = RunStatus.FINISHED if code == 0 else RunStatus.FAILED
        try:
            self._set_terminated(self._run_id, status.name)
        finally:
            self._status = status.name
            if self._cleanup_dir is not None:
                shutil.rmtree(self._cleanup_dir, ignore_errors=True)


def kill_group(pgid: int, process: subprocess.Popen[bytes] | None = None) -> None:
    """SIGTERM the process group, then SIGKILL what is still alive after a grace period."""
    for sig, grace in ((signal.SIGTERM, TERMINATE_GRACE_SECONDS), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if process is not None:
                process.poll()  # reap the leader so it does not count as alive
            if not group_alive(pgid):
                return
            time.sleep(0.05)


def group_alive(pgid: int) -> bool:
    """True while a live (non-zombie) process belongs to the process group."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state, ppid, pgrp, ...
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False
