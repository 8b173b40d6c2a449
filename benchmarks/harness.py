"""Run the selected workloads under each library and collect the results.

Embedded workloads interleave the libraries repeat by repeat (load on a shared machine drifts);
server workloads run one server at a time, each on its own SQLite file and artifact folder.
Every script run gets a fresh subprocess and working directory under benchmarks/.work/.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.catalog import Workload
from benchmarks.libs import Library
from benchmarks.report import Results
from benchmarks.runner import (
    WORK_ROOT,
    Measurement,
    WorkloadFailed,
    copy_store,
    prepared_store,
    run_script,
    sqlite_uri,
)
from benchmarks.scoring import ScoringBench
from benchmarks.servers import MemoryWatch, Server, ServerUnavailable, start_server

# Idle memory is read once start-up work (background threads, job runners) has settled.
IDLE_SETTLE_S = 3.0
STATE_FILE = "bench_state.json"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Options:
    quick: bool = False
    repeats: int = 3
    server_workers: int = 1
    keep: bool = False


class Harness:
    def __init__(
        self,
        libraries: list[Library],
        options: Options,
        log: Callable[[str], None] = _stderr,
        work_root: Path = WORK_ROOT,
    ) -> None:
        self.libraries = libraries
        self.options = options
        self.log = log
        self.results = Results()
        self.session = work_root / time.strftime("run-%Y%m%d-%H%M%S")
        self._no_server: set[str] = set()

    def run(self, workloads: list[Workload]) -> Results:
        try:
            for workload in workloads:
                self.log(f"[{workload.name}] {workload.summary}")
                if workload.scoring:
                    ScoringBench(self).run(workload)
                elif workload.script is None:
                    self._server_start(workload)
                elif workload.server:
                    self._server_workload(workload)
                else:
                    self._embedded(workload)
        finally:
            if not self.options.keep:
                shutil.rmtree(self.session, ignore_errors=True)
        return self.results

    def _repeats(self, workload: Workload) -> int:
        return 1 if workload.self_repeating else self.options.repeats

    def _record(self, workload: Workload, library: Library, found: list[Measurement]) -> None:
        self.results.add(workload, library.name, found)
        shown = ", ".join(f"{m.metric}={m.value:,.4g} {m.unit}" for m in found)
        self.log(f"  {library.name}: {shown}")

    def _failed(self, workload: Workload, library: Library, message: str) -> None:
        self.results.fail(workload, library.name, message)
        self.log(f"  {library.name}: FAILED: {message}")

    def _store(self, workload: Workload, library: Library) -> Path | None:
        """The populated store a setup workload needs, or None when building it failed."""
        if workload.setup is None:
            return None
        self.log(f"  {library.name}: preparing store {workload.setup_key(self.options.quick)}")
        return prepared_store(library, workload, self.options.quick, self.session)

    def _embedded(self, workload: Workload) -> None:
        assert workload.script_path is not None
        stores: dict[str, Path | None] = {}
        for library in self.libraries:
            try:
                stores[library.name] = self._store(workload, library)
            except WorkloadFailed as failure:
                self._failed(workload, library, f"setup: {failure}")
        for repeat in range(self._repeats(workload)):
            for library in [lib for lib in self.libraries if lib.name in stores]:
                cwd = self.session / workload.name / f"{library.name}-{repeat}"
                store = stores[library.name]
                if store is not None:
                    copy_store(store, cwd)
                env = {**workload.environment(self.options.quick)}
                env["BENCH_TRACKING_URI"] = sqlite_uri(cwd, library)
                try:
                    self._record(
                        workload, library, run_script(library, workload.script_path, cwd, env)
                    )
                except WorkloadFailed as failure:
                    self._failed(workload, library, str(failure))
                    del stores[library.name]
                finally:
                    self._discard(cwd)

    def _discard(self, directory: Path) -> None:
        if not self.options.keep:
            shutil.rmtree(directory, ignore_errors=True)

    def _start(self, workload: Workload, library: Library, cwd: Path) -> Server | None:
        """Start the library's server, or note once that it is not available."""
        if library.name in self._no_server:
            self._failed(workload, library, "server not available (see server_start)")
            return None
        try:
            return start_server(
                library, cwd, cwd / f"{library.name}.db", self.options.server_workers
            )
        except ServerUnavailable as failure:
            self._no_server.add(library.name)
            self._failed(workload, library, f"server not available: {failure}")
            return None

    def _server_start(self, workload: Workload) -> None:
        for library in self.libraries:
            cwd = self.session / workload.name / library.name
            # The first start creates the database and warms disk caches; restarts are timed.
            warmup = self._start(workload, library, cwd)
            if warmup is None:
                continue
            warmup.stop()
            for _ in range(self.options.repeats):
                server = self._start(workload, library, cwd)
                if server is None:
                    break
                try:
                    time.sleep(IDLE_SETTLE_S)
                    found = [
                        Measurement("server_start", server.started_in_s, "s"),
                        Measurement("server_idle_rss", server.rss_mb(), "MB"),
                    ]
                    self._record(workload, library, found)
                finally:
                    server.stop()
            self._discard(cwd)

    def _server_workload(self, workload: Workload) -> None:
        for library in self.libraries:
            cwd = self.session / workload.name / library.name
            try:
                store = self._store(workload, library)
            except WorkloadFailed as failure:
                self._failed(workload, library, f"setup: {failure}")
                continue
            if store is not None:
                copy_store(store, cwd)
            server = self._start(workload, library, cwd)
            if server is None:
                continue
            try:
                self._drive(workload, library, server, cwd)
            except WorkloadFailed as failure:
                self._failed(workload, library, str(failure))
            finally:
                server.stop()
                self._discard(cwd)

    def _drive(self, workload: Workload, library: Library, server: Server, cwd: Path) -> None:
        """Run the client script against a live server, once per repeat."""
        assert workload.script_path is not None
        env = {**workload.environment(self.options.quick), "BENCH_TRACKING_URI": server.url}
        if workload.browser:
            # Playwright lives in the harness's venv; the script only talks to the server.
            library = dataclasses.replace(library, python=Path(sys.executable))
        for repeat in range(self._repeats(workload)):
            client_cwd = cwd / f"client-{repeat}"
            client_cwd.mkdir(parents=True, exist_ok=True)
            if (cwd / STATE_FILE).exists():
                shutil.copy(cwd / STATE_FILE, client_cwd / STATE_FILE)
            if workload.watch_server_memory:
                with MemoryWatch(server) as watch:
                    found = run_script(library, workload.script_path, client_cwd, env)
                found += [
                    Measurement("server_peak_rss", watch.peak_mb, "MB"),
                    Measurement("server_rss_growth", watch.peak_mb - watch.baseline_mb, "MB"),
                ]
            else:
                found = run_script(library, workload.script_path, client_cwd, env)
            self._record(workload, library, found)
            self._discard(client_cwd)
