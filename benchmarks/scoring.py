"""The `serving` workloads: each library's `models serve` on one model, saved once.

The model is saved by MLflow when it is compared (so serving it from mltrail is also an
interoperability check), else by the first library; it is cached like the other populated
stores. Every repeat starts each server afresh (libraries alternating, as load drifts), times
process start to the first `/ping` 200, runs the client script against it, then stops it.
One untimed start per library comes first, so disk caches are warm for both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from benchmarks.catalog import Workload
from benchmarks.libs import Library
from benchmarks.runner import (
    Measurement,
    WorkloadFailed,
    copy_store,
    prepared_store,
    run_script,
    script_environment,
)
from benchmarks.servers import Server, ServerUnavailable, _log_tail, free_port

if TYPE_CHECKING:
    from benchmarks.harness import Harness

READY_TIMEOUT_S = 120.0
POLL_INTERVAL_S = 0.01
MODEL_DIR = "model"


def serve_command(library: Library, model: Path, port: int, workers: int) -> list[str]:
    """The same command line for both libraries."""
    return [
        str(library.cli),
        *("models", "serve", "-m", str(model), "--env-manager", "local"),
        *("-p", str(port), "-h", "127.0.0.1", "-w", str(workers)),
    ]


def _wait_for_ping(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx.Client(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerUnavailable(f"exited {process.returncode}:\n{_log_tail(log)}")
            try:
                if http.get(f"{url}/ping").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(POLL_INTERVAL_S)  # polling interval while the server boots
    raise ServerUnavailable(f"no /ping answer in {READY_TIMEOUT_S:.0f} s:\n{_log_tail(log)}")


def start_scoring_server(library: Library, model: Path, workdir: Path, workers: int) -> Server:
    """Start `<cli> models serve` on `model`, returning once `/ping` answers 200."""
    if not library.cli.exists():
        raise ServerUnavailable(f"{library.cli} does not exist")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = script_environment(library, {})
    # MLflow's CLI starts `uvicorn` from PATH: its own venv's must come first.
    env["PATH"] = f"{library.python.parent}{os.pathsep}{env.get('PATH', '')}"
    log = workdir / f"{library.name}-serve.log"
    with log.open("ab") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(
            serve_command(library, model, port, workers),
            cwd=workdir,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_ping(process, url, log)
    except BaseException:
        Server(library, process, url, 0.0, log).stop()
        raise
    return Server(library, process, url, time.perf_counter() - started, log)


class ScoringBench:
    """Runs one `serving` workload for the harness, recording into its results."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.options = harness.options

    def _owner(self) -> Library:
        """The library that saves the model: MLflow when it is compared."""
        named = {lib.name: lib for lib in self.harness.libraries}
        return named.get("mlflow", self.harness.libraries[0])

    def _start(self, workload: Workload, library: Library, cwd: Path) -> Server | None:
        try:
            return start_scoring_server(library, cwd / MODEL_DIR, cwd, self.options.server_workers)
        except ServerUnavailable as failure:
            self.harness._failed(workload, library, f"scoring server: {failure}")
            return None

    def run(self, workload: Workload) -> None:
        owner = self._owner()
        self.harness.log(f"  {owner.name}: saving the model")
        try:
            store = prepared_store(owner, workload, self.options.quick, self.harness.session)
        except WorkloadFailed as failure:
            for library in self.harness.libraries:
                self.harness._failed(workload, library, f"setup: {failure}")
            return
        root = self.harness.session / workload.name
        live = []
        for library in self.harness.libraries:
            copy_store(store, root / f"{library.name}-warmup")
            warmup = self._start(workload, library, root / f"{library.name}-warmup")
            if warmup is not None:
                warmup.stop()
                live.append(library)
            self._discard(root / f"{library.name}-warmup")
        for repeat in range(self.options.repeats):
            for library in list(live):
                if not self._measure(workload, library, store, root / f"{library.name}-{repeat}"):
                    live.remove(library)

    def _measure(self, workload: Workload, library: Library, store: Path, cwd: Path) -> bool:
        """One timed start and one client run; False when the library failed."""
        assert workload.script_path is not None
        copy_store(store, cwd)
        server = self._start(workload, library, cwd)
        if server is None:
            return False
        try:
            found = [Measurement("serving_ready", server.started_in_s, "s")]
            env = {**workload.environment(self.options.quick), "BENCH_SCORING_URL": server.url}
            found += run_script(library, workload.script_path, cwd, env)
            found.append(Measurement("serving_rss", server.rss_mb(), "MB"))
            self.harness._record(workload, library, found)
            return True
        except WorkloadFailed as failure:
            self.harness._failed(workload, library, str(failure))
            return False
        finally:
            server.stop()
            self._discard(cwd)

    def _discard(self, directory: Path) -> None:
        if not self.options.keep:
            shutil.rmtree(directory, ignore_errors=True)
