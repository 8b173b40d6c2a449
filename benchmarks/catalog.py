"""Every workload the harness knows: its script, sizes (full and --quick) and targets.

Targets come from the project's speed issues: issue 2 (embedded store), issue 3 (server) and
issue 9 (web UI), issue 4 (model serving).
Sizes reach the scripts as BENCH_* environment variables, so the knobs are all listed here.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

WORKLOAD_DIR = Path(__file__).resolve().parent / "workloads"
BUDGET_S = ("BENCH_BUDGET_S", 20, 5)
TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Target:
    """A goal for one metric: an absolute bound on mltrail's value, or on the speed-up."""

    metric: str
    op: Literal["<=", ">="]
    threshold: float
    unit: str = ""
    on_ratio: bool = False

    def met(self, value: float) -> bool:
        compare = operator.le if self.op == "<=" else operator.ge
        return bool(compare(value, self.threshold))

    def describe(self) -> str:
        sign = "≤" if self.op == "<=" else "≥"
        if self.on_ratio:
            return f"{sign} {self.threshold:,g}{TIMES}"
        return f"{sign} {self.threshold:,g} {self.unit}"


@dataclass(frozen=True)
class Workload:
    """One benchmark. `script` is None for measurements the harness takes itself."""

    name: str
    issue: int
    summary: str
    script: str | None
    server: bool = False
    # (variable, full size, --quick size) for each knob the script reads.
    sizes: tuple[tuple[str, int, int], ...] = ()
    # Extra fixed environment, e.g. BENCH_SYNCHRONOUS for the same script in another mode.
    env: tuple[tuple[str, str], ...] = ()
    # A setup phase populates a store first (untimed); equal keys share one populated store.
    setup: str | None = None
    # The script already takes a median of many iterations: the harness runs it once.
    self_repeating: bool = False
    # Sample the server's memory while the script runs and report its peak and growth.
    watch_server_memory: bool = False
    # The measure phase drives a browser: it runs in the harness's interpreter (which has
    # Playwright) against either server; the setup phase still runs under the library.
    browser: bool = False
    # A `models serve` workload, driven by benchmarks/scoring.py.
    scoring: bool = False
    targets: tuple[Target, ...] = field(default=())

    @property
    def script_path(self) -> Path | None:
        return WORKLOAD_DIR / self.script if self.script else None

    def environment(self, quick: bool) -> dict[str, str]:
        sized = {name: str(small if quick else full) for name, full, small in self.sizes}
        return {**sized, **dict(self.env)}

    def setup_key(self, quick: bool) -> str | None:
        """Names the populated store: the setup name plus the sizes it was built with."""
        if self.setup is None:
            return None
        sized = "-".join(
            f"{k.removeprefix('BENCH_').lower()}{v}"
            for k, v in sorted(self.environment(quick).items())
            if k in SETUP_SIZES
        )
        return f"{self.setup}-{sized}"


# Only these knobs change what a setup phase builds (query counts do not).
SETUP_SIZES = {"BENCH_RUNS", "BENCH_POINTS"}

EMBEDDED = [
    Workload(
        "import",
        2,
        "cold `import <lib>` in a fresh interpreter, minus a bare interpreter",
        "import_time.py",
        sizes=(("BENCH_IMPORT_REPEATS", 5, 3),),
        self_repeating=True,
        targets=(
            Target("import", "<=", 0.1, "s"),
            Target("import", ">=", 20, on_ratio=True),
            Target("import_process", "<=", 0.1, "s"),
        ),
    ),
    Workload(
        "log_metric",
        2,
        "fluent `log_metric` in `start_run`, flush at `end_run` included",
        "fluent_log_metric.py",
        sizes=(("BENCH_CALLS", 20_000, 2_000), BUDGET_S),
        targets=(Target("log_metric", ">=", 20_000, "calls/s"),),
    ),
    Workload(
        "log_batch",
        2,
        "`MlflowClient.log_batch`, 1000 metrics x 50 batches",
        "log_batch.py",
        sizes=(("BENCH_BATCHES", 50, 10), ("BENCH_BATCH_SIZE", 1000, 1000), BUDGET_S),
    ),
    Workload(
        "search_runs",
        2,
        "`search_runs` over 10,000 runs, filter + order, 100 results",
        "search_runs.py",
        sizes=(("BENCH_RUNS", 10_000, 1_000), ("BENCH_QUERIES", 20, 5)),
        setup="runs",
        self_repeating=True,
        targets=(Target("search_runs", "<=", 20, "ms"),),
    ),
    Workload(
        "metric_history",
        2,
        "`get_metric_history` of a 100,000-point metric",
        "metric_history.py",
        sizes=(("BENCH_POINTS", 100_000, 20_000), ("BENCH_QUERIES", 5, 3)),
        setup="history",
        self_repeating=True,
        targets=(Target("get_metric_history", "<=", 100, "ms"),),
    ),
]

SERVER = [
    Workload(
        "server_start",
        3,
        "server start to first `/health` 200, then idle memory (process tree)",
        None,
        server=True,
        targets=(Target("server_start", "<=", 1, "s"), Target("server_idle_rss", "<=", 150, "MB")),
    ),
    Workload(
        "server_log_metric",
        3,
        "fluent `log_metric` over HTTP, each library's default mode",
        "fluent_log_metric.py",
        server=True,
        sizes=(("BENCH_CALLS", 5_000, 1_000), BUDGET_S),
        targets=(Target("log_metric", ">=", 20_000, "calls/s"),),
    ),
    Workload(
        "server_log_metric_sync",
        3,
        "fluent `log_metric(..., synchronous=True)` over HTTP",
        "fluent_log_metric.py",
        server=True,
        sizes=(("BENCH_CALLS", 2_000, 300), BUDGET_S),
        env=(("BENCH_SYNCHRONOUS", "1"),),
        targets=(Target("log_metric", ">=", 1_500, "calls/s"),),
    ),
    Workload(
        "server_log_batch",
        3,
        "`log_batch` of 1000 metrics over HTTP",
        "log_batch.py",
        server=True,
        sizes=(("BENCH_BATCHES", 20, 5), ("BENCH_BATCH_SIZE", 1000, 1000), BUDGET_S),
        targets=(Target("log_batch", ">=", 50_000, "metrics/s"),),
    ),
    Workload(
        "server_search_runs",
        3,
        "`search_runs` over HTTP, same query and runs as embedded",
        "search_runs.py",
        server=True,
        sizes=(("BENCH_RUNS", 10_000, 1_000), ("BENCH_QUERIES", 20, 5)),
        setup="runs",
        self_repeating=True,
    ),
    Workload(
        "server_metric_history",
        3,
        "`get_metric_history` of a 10,000-point metric over HTTP",
        "metric_history.py",
        server=True,
        sizes=(("BENCH_POINTS", 10_000, 10_000), ("BENCH_QUERIES", 10, 3)),
        setup="history",
        self_repeating=True,
    ),
    Workload(
        "server_http_load",
        3,
        "8 concurrent raw HTTP clients on `runs/log-metric` (wrk)",
        "http_load.py",
        server=True,
        sizes=(("BENCH_CLIENTS", 8, 8), ("BENCH_SECONDS", 10, 3)),
        targets=(
            Target("http_log_metric", ">=", 2_000, "req/s"),
            Target("http_log_metric_p99", "<=", 20, "ms"),
        ),
    ),
    Workload(
        "server_artifacts",
        3,
        "200 MB artifact upload + download through the proxy",
        "artifacts.py",
        server=True,
        sizes=(("BENCH_ARTIFACT_MB", 200, 32),),
        watch_server_memory=True,
        # Our reading of "constant memory": the 200 MB never sits in the server's memory.
        targets=(Target("server_rss_growth", "<=", 64, "MB"),),
    ),
]

UI = [
    Workload(
        "ui_runs_table",
        9,
        "web UI: first rows of a 10,000-run experiment painted, and its JavaScript",
        "ui_runs_table.py",
        server=True,
        browser=True,
        sizes=(("BENCH_RUNS", 10_000, 1_000), ("BENCH_LOADS", 3, 2)),
        setup="ui_runs",
        self_repeating=True,
        targets=(Target("first_rows", "<=", 1000, "ms"), Target("js_gzip", "<=", 300, "kB")),
    ),
    Workload(
        "ui_chart",
        9,
        "web UI: chart of a 1,000,000-point metric drawn, then zoomed (mltrail)",
        "ui_chart.py",
        server=True,
        browser=True,
        sizes=(("BENCH_POINTS", 1_000_000, 100_000), ("BENCH_LOADS", 3, 2)),
        setup="ui_history",
        self_repeating=True,
        targets=(
            Target("chart_drawn", "<=", 1000, "ms"),
            Target("interaction_long_tasks", "<=", 0, "tasks"),
        ),
    ),
]

# Issue 4: the model scoring server, `<lib> models serve` on one model saved by MLflow.
SERVING = [
    Workload(
        "serving",
        4,
        "`models serve` of one sklearn model: start to /ping, latency, 8-client throughput",
        "serving.py",
        server=True,
        scoring=True,
        sizes=(
            ("BENCH_BATCH_ROWS", 1_000, 1_000),
            ("BENCH_REQUESTS", 1_000, 200),
            ("BENCH_BATCH_REQUESTS", 100, 20),
            ("BENCH_CLIENTS", 8, 8),
            ("BENCH_SECONDS", 10, 3),
            BUDGET_S,
        ),
        setup="sklearn_model",
        targets=(
            Target("serving_ready", "<=", 2, "s"),
            Target("latency_1_row", ">=", 3, on_ratio=True),
            Target("throughput_1_row", ">=", 3, on_ratio=True),
        ),
    ),
]

WORKLOADS = EMBEDDED + SERVER + UI + SERVING


def select(only: list[str], skip_server: bool) -> list[Workload]:
    """Workloads by name (or a group name: embedded, server, ui, serving), in catalog order."""
    groups = {"embedded": EMBEDDED, "server": SERVER, "ui": UI, "serving": SERVING}
    names = {w.name for w in WORKLOADS}
    unknown = [name for name in only if name not in names and name not in groups]
    if unknown:
        raise SystemExit(f"unknown workload {unknown[0]!r}; known: {sorted(names)}")
    wanted = {w.name for name in only for w in groups.get(name, [])} | set(only)
    chosen = [w for w in WORKLOADS if not only or w.name in wanted]
    return [w for w in chosen if not (skip_server and w.server)]
