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
from pathlib import Path
from typing import TYPE_CHECKING

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
from benchmarks.servers import Server, ServerUnavailable, free_port, launch

if TYPE_CHECKING:
    from benchmarks.harness import Harness

MODEL_DIR = "model"


def serve_command(library: Library, model: Path, port: int, workers: int) -> list[str]:
    """The same command line for both libraries."""
    return [
        str(library.cli),
        *("models", "serve", "-m", str(model), "--env-manager", "local"),
        *("-p", str(port), "-h", "127.0.0.1", "-w", str(workers)),
    ]


def start_scoring_server(library: Library, model: Path, workdir: Path, workers: int) -> Server:
    """Start `<cli> models serve` on `model`, returning once `/ping` answers 200."""
    port = free_port()
    env = script_environment(library, {})
    # MLflow's CLI starts `uvicorn` from PATH: its own venv's must come first.
    env["PATH"] = f"{library.python.parent}{os.pathsep}{env.get('PATH', '')}"
    return launch(
        library, serve_command(library, model, port, workers), port, workdir, env, "/ping"
    )


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
