"""Start a library's tracking server on 127.0.0.1, watch its memory, and stop it.

Both servers get the same command line (`<cli> server --host --port --backend-store-uri
--artifacts-destination --workers`) and run in their own process group, so stopping one ends
every process it spawned and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
import psutil

from benchmarks.libs import Library
from benchmarks.runner import script_environment

START_TIMEOUT_S = 120.0
POLL_INTERVAL_S = 0.01
STOP_TIMEOUT_S = 20.0
MB = 1024 * 1024


class ServerUnavailable(Exception):
    """The server did not answer `/health` (not written yet, or it crashed)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (workers, job runners), in MB."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / MB


@dataclass
class Server:
    library: Library
    process: subprocess.Popen[bytes]
    url: str
    started_in_s: float
    log: Path

    def rss_mb(self) -> float:
        return tree_rss_mb(self.process.pid)

    def stop(self) -> None:
        """SIGTERM the server's process group; SIGKILL what is left after a grace period."""
        try:
            family = [psutil.Process(self.process.pid)]
            family += family[0].children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        _signal_group(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT_S)
        _, alive = psutil.wait_procs(family, timeout=STOP_TIMEOUT_S)
        for straggler in alive:
            straggler.kill()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _log_tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll `url` until it answers 200 (the time to ready counts from the process start)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerUnavailable(f"exited {process.returncode}:\n{_log_tail(log)}")
            try:
                if http.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(POLL_INTERVAL_S)  # polling interval while the server boots
    raise ServerUnavailable(f"no answer from {url} in {START_TIMEOUT_S:.0f} s:\n{_log_tail(log)}")


def launch(
    library: Library,
    command: list[str],
    port: int,
    workdir: Path,
    env: dict[str, str],
    ready_path: str,
) -> Server:
    """Run `command` (a server on `port`) in its own process group, logging to the work dir,
    and return once `ready_path` answers 200; its start time is measured from the launch."""
    if not library.cli.exists():
        raise ServerUnavailable(f"{library.cli} does not exist")
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"{library.name}-{command[1]}.log"
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_answering(process, url + ready_path, log)
    except BaseException:
        Server(library, process, url, 0.0, log).stop()
        raise
    return Server(library, process, url, time.perf_counter() - started, log)


def start_server(library: Library, workdir: Path, database: Path, workers: int) -> Server:
    """Start the server on `database`, returning once `/health` answers 200."""
    port = free_port()
    command = [str(library.cli), "server", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--backend-store-uri", f"sqlite:///{database}"]
    command += ["--artifacts-destination", str(workdir / "artifacts"), "--workers", str(workers)]
    env = script_environment(library, dict(library.server_env))
    return launch(library, command, port, workdir, env, "/health")


class MemoryWatch:
    """Samples a server's memory in a background thread while a workload runs."""

    INTERVAL_S = 0.05

    def __init__(self, server: Server) -> None:
        self.server = server
        self.baseline_mb = server.rss_mb()
        self.peak_mb = self.baseline_mb
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.INTERVAL_S):
            self.peak_mb = max(self.peak_mb, self.server.rss_mb())

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
