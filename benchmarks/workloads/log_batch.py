"""`MlflowClient.log_batch` throughput: BENCH_BATCHES batches of BENCH_BATCH_SIZE metrics.

Every batch logs the same keys at the next step. Batches are built before the clock starts;
BENCH_BUDGET_S stops a slow library early. The stored history is checked afterwards.
"""

from __future__ import annotations

import importlib
import os
import time
import uuid
from typing import Any

import _bench

lib = importlib.import_module(os.environ["BENCH_LIB"])
mlflow = lib


def build_batches(count: int, size: int) -> list[list[Any]]:
    metric = _bench.submodule("entities").Metric
    stamp = _bench.now_ms()
    return [
        [metric(key=f"m{k}", value=k * 0.5 + step, timestamp=stamp, step=step) for k in range(size)]
        for step in range(count)
    ]


def main() -> None:
    mlflow.set_tracking_uri(_bench.tracking_uri())
    client = mlflow.MlflowClient()
    experiment_id = client.create_experiment(f"bench-log-batch-{uuid.uuid4().hex[:8]}")
    run_id = client.create_run(experiment_id).info.run_id
    size = _bench.env_int("BENCH_BATCH_SIZE")
    batches = build_batches(_bench.env_int("BENCH_BATCHES"), size)
    start = time.perf_counter()
    deadline = start + _bench.env_float("BENCH_BUDGET_S")
    sent = 0
    for batch in batches:
        client.log_batch(run_id, metrics=batch)
        sent += 1
        if time.perf_counter() > deadline:
            break
    seconds = time.perf_counter() - start
    stored = client.get_metric_history(run_id, f"m{size - 1}")
    _bench.check(len(stored) == sent, f"sent {sent} batches, last key has {len(stored)} points")
    _bench.check(
        len(client.get_run(run_id).data.metrics) == size, "latest values missing for some keys"
    )
    _bench.emit("log_batch", sent * size / seconds, "metrics/s", batches=sent, seconds=seconds)


if __name__ == "__main__":
    main()
