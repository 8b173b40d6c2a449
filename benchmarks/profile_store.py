"""Profiles the SQL tracking store's hot paths on SQLite files and prints one line per number.

Run `python benchmarks/profile_store.py` (add `--quick` for smaller sizes, `--only NAME` for one
section, `--cprofile NAME` to print the top of a cProfile of that section instead of timing it).
Unlike the workloads next to it, this calls `SqlTrackingStore` directly (no client), so it shows
what the store itself costs; start-up sections run in fresh interpreters.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SECTIONS = ("open", "fluent", "create_get_run", "log_batch", "history", "search")
TARGETS = {
    "log_batch": ">= 100000 metrics/s",
    "log_batch_10k": ">= 100000 metrics/s",
    "history": "<= 100 ms",
    "search": "<= 20 ms",
    "open": "no alembic import",
}


def _store(path: Path) -> Any:
    from mltrail.store.tracking.sql import SqlTrackingStore

    return SqlTrackingStore(f"sqlite:///{path}", artifact_root=str(path.parent / "artifacts"))


def _timed(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, fastest) seconds of `repeats` calls; on a busy machine the fastest shows the
    work itself, the median what a caller sees."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


def _report(name: str, value: float, unit: str, detail: str = "") -> None:
    target = TARGETS.get(name, "")
    print(
        f"{name:<16} {value:>12,.1f} {unit:<10} {('target ' + target) if target else ''} {detail}"
    )


def _in_fresh_process(code: str, cwd: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def profile_open(work: Path, sizes: argparse.Namespace) -> None:
    """Opening a store on an existing up-to-date database, in a fresh interpreter."""
    db = work / "open.db"
    _store(db).close()
    code = (
        "import sys, time; t = time.perf_counter()\n"
        "from mltrail.store.tracking.sql import SqlTrackingStore\n"
        "t1 = time.perf_counter()\n"
        f"s = SqlTrackingStore('sqlite:///{db}', artifact_root='a')\n"
        "t2 = time.perf_counter()\n"
        "print(t1 - t, t2 - t1, 'alembic' in sys.modules)"
    )
    runs = [_in_fresh_process(code, work) for _ in range(sizes.starts)]
    imported = statistics.median(float(r[0]) for r in runs) * 1000
    opened = statistics.median(float(r[1]) for r in runs) * 1000
    detail = f"(median; `import` took {imported:.0f} ms; alembic imported: {runs[0][2]})"
    _report("open", opened, "ms", detail)


def profile_fluent(work: Path, sizes: argparse.Namespace) -> None:
    """`import mltrail`, start a run and log a first metric, in a fresh interpreter."""
    db = work / "fluent.db"
    _store(db).close()
    code = (
        "import time; t = time.perf_counter()\n"
        "import mltrail\n"
        f"mltrail.set_tracking_uri('sqlite:///{db}')\n"
        "run = mltrail.start_run()\n"
        "t1 = time.perf_counter()\n"
        "mltrail.log_metric('m', 1.0, step=0, synchronous=True)\n"
        "t2 = time.perf_counter()\n"
        "mltrail.end_run()\n"
        "print(t1 - t, t2 - t1)"
    )
    runs = [_in_fresh_process(code, work) for _ in range(sizes.starts)]
    started = statistics.median(float(r[0]) for r in runs) * 1000
    first = statistics.median(float(r[1]) for r in runs) * 1000
    _report("fluent_start", started, "ms", "(median: import + set_tracking_uri + start_run)")
    _report("fluent_first", first, "ms", "(median: first synchronous log_metric)")


def profile_create_get_run(work: Path, sizes: argparse.Namespace) -> None:
    from mltrail.entities import RunTag

    store = _store(work / "runs.db")
    tags = [RunTag("mlflow.user", "me"), RunTag("mlflow.source.name", "x.py")]
    created, fastest_create = _timed(
        lambda: store.create_run("0", "me", None, tags, None), sizes.calls
    )
    run_id = store.create_run("0", "me", None, tags, None).info.run_id
    read, fastest_read = _timed(lambda: store.get_run(run_id), sizes.calls)
    store.close()
    _report("create_run", created * 1e6, "us", f"(median; fastest {fastest_create * 1e6:.0f} us)")
    _report("get_run", read * 1e6, "us", f"(median; fastest {fastest_read * 1e6:.0f} us)")


def _metric_batches(count: int, keys: int) -> list[list[Any]]:
    """`count` batches of 1000 metrics: `keys` keys, each at 1000 / `keys` successive steps."""
    from mltrail.entities import Metric

    stamp = int(time.time() * 1000)
    steps = 1000 // keys
    return [
        [
            Metric(f"m{k}", k * 0.5 + step, stamp, batch * steps + step)
            for step in range(steps)
            for k in range(keys)
        ]
        for batch in range(count)
    ]


def profile_log_batch(work: Path, sizes: argparse.Namespace) -> None:
    """Batches of 1000 metrics: 1000 keys at one step (the benchmark's shape), and 10 keys
    at 100 steps (what a training loop's batcher sends)."""
    for keys in (1000, 10):
        store = _store(work / f"batch{keys}.db")
        run_id = store.create_run("0", "me", None, [], None).info.run_id
        batches = _metric_batches(sizes.batches, keys)
        store.log_batch(run_id, metrics=batches[0])  # warm caches and statements
        samples = []
        for batch in batches[1:]:
            start = time.perf_counter()
            store.log_batch(run_id, metrics=batch)
            samples.append(time.perf_counter() - start)
        store.close()
        # Throughput over all batches: WAL checkpoints come every few commits and count too.
        rate = 1000 * len(samples) / sum(samples)
        median = 1000 / statistics.median(samples)
        _report(
            "log_batch" if keys == 1000 else f"log_batch_{keys}k",
            rate,
            "metrics/s",
            f"({len(samples)} batches, {keys} keys each; median batch {median:,.0f}/s)",
        )


def profile_history(work: Path, sizes: argparse.Namespace) -> None:
    from mltrail.entities import Metric

    store = _store(work / "history.db")
    run_id = store.create_run("0", "me", None, [], None).info.run_id
    stamp = int(time.time() * 1000)
    for first in range(0, sizes.points, 1000):
        steps = range(first, min(first + 1000, sizes.points))
        store.log_batch(run_id, metrics=[Metric("loss", 1 / (s + 1), stamp + s, s) for s in steps])
    assert len(store.get_metric_history(run_id, "loss")) == sizes.points
    took, fastest = _timed(lambda: store.get_metric_history(run_id, "loss"), sizes.queries)
    store.close()
    _report(
        "history",
        took * 1000,
        "ms",
        f"(median; fastest {fastest * 1000:.0f} ms; {sizes.points:,} points)",
    )


def populate_search(store: Any, runs: int) -> str:
    from mltrail.entities import Metric, Param, RunTag

    rng = random.Random(42)
    experiment_id: str = store.create_experiment("search")
    for _ in range(runs):
        acc, stamp = rng.random(), int(time.time() * 1000)
        run_id = store.create_run(experiment_id, "me", stamp, [], None).info.run_id
        store.log_batch(
            run_id,
            metrics=[
                Metric("acc", acc, stamp, 0),
                Metric("loss", 1 - acc, stamp, 0),
                Metric("f1", acc / 2, stamp, 0),
            ],
            params=[
                Param("model", rng.choice("abc")),
                Param("lr", str(rng.choice([0.1, 0.01]))),
                Param("batch", str(rng.choice([32, 64]))),
            ],
            tags=[RunTag("team", rng.choice("xy")), RunTag("a", "1"), RunTag("b", "2")],
        )
    return experiment_id


def profile_search(work: Path, sizes: argparse.Namespace) -> None:
    store = _store(work / "search.db")
    start = time.perf_counter()
    experiment_id = populate_search(store, sizes.runs)
    setup = time.perf_counter() - start

    def query() -> Any:
        return store.search_runs(
            [experiment_id],
            filter_string="metrics.acc > 0.5 and params.model = 'a'",
            order_by=["metrics.acc DESC"],
            max_results=100,
        )

    found = query()
    accs = [run.data.metrics["acc"] for run in found]
    if len(found) != 100 or accs != sorted(accs, reverse=True):
        raise RuntimeError("search_runs returned a wrong page")
    took, fastest = _timed(query, sizes.queries)
    store.close()
    detail = (
        f"(median; fastest {fastest * 1000:.1f} ms; {sizes.runs:,} runs, set up in {setup:.0f} s)"
    )
    _report("search", took * 1000, "ms", detail)


PROFILERS: dict[str, Callable[[Path, argparse.Namespace], None]] = {
    "open": profile_open,
    "fluent": profile_fluent,
    "create_get_run": profile_create_get_run,
    "log_batch": profile_log_batch,
    "history": profile_history,
    "search": profile_search,
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run these sections")
    parser.add_argument("--cprofile", choices=SECTIONS, help="cProfile one section")
    args = parser.parse_args()
    quick = args.quick
    args.runs = 2000 if quick else 10_000
    args.points = 20_000 if quick else 100_000
    args.batches = 20 if quick else 60
    args.calls = 50 if quick else 300
    args.queries = 5 if quick else 15
    args.starts = 2 if quick else 5
    return args


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="mltrail-profile-") as tmp:
        work = Path(tmp)
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.runcall(PROFILERS[args.cprofile], work, args)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            return
        for name in args.only or SECTIONS:
            PROFILERS[name](work, args)


if __name__ == "__main__":
    main()
