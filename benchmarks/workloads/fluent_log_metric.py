"""Fluent `log_metric` throughput inside `start_run`, final flush at `end_run` included.

Logs up to BENCH_CALLS points (or until BENCH_BUDGET_S runs out, so a slow library still
finishes), then reads the history back, untimed, to prove every point was stored.
BENCH_SYNCHRONOUS=1 passes `synchronous=True` to every call.
"""

from __future__ import annotations

import importlib
import os
import time
from typing import Any

import _bench

lib = importlib.import_module(os.environ["BENCH_LIB"])
mlflow = lib


def log_points(calls: int, budget_s: float, extra: dict[str, Any]) -> tuple[str, int, float]:
    """Log up to `calls` points; return the run id, how many were logged and the seconds."""
    run = mlflow.start_run()
    start = time.perf_counter()
    deadline = start + budget_s
    logged = 0
    while logged < calls:
        mlflow.log_metric("loss", 1.0 / (logged + 1), step=logged, **extra)
        logged += 1
        # Reading the clock every call would add to what is measured.
        if logged % 128 == 0 and time.perf_counter() > deadline:
            break
    mlflow.end_run()
    return run.info.run_id, logged, time.perf_counter() - start


def main() -> None:
    mlflow.set_tracking_uri(_bench.tracking_uri())
    mlflow.set_experiment("bench-log-metric")
    extra = {"synchronous": True} if _bench.env_flag("BENCH_SYNCHRONOUS") else {}
    run_id, logged, seconds = log_points(
        _bench.env_int("BENCH_CALLS"), _bench.env_float("BENCH_BUDGET_S"), extra
    )
    history = mlflow.MlflowClient().get_metric_history(run_id, "loss")
    steps = sorted(point.step for point in history)
    _bench.check(
        steps == list(range(logged)), f"logged {logged} points but {len(history)} were stored"
    )
    _bench.emit("log_metric", logged / seconds, "calls/s", calls=logged, seconds=seconds)


if __name__ == "__main__":
    main()
