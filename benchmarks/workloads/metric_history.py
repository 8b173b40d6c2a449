"""`MlflowClient.get_metric_history` of one metric with BENCH_POINTS points.

Setup phase: log the points with `log_batch`, 1000 at a time (MLflow's per-request limit).
Measure phase: one untimed read, then the median of BENCH_QUERIES timed reads.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import _bench

lib = importlib.import_module(os.environ["BENCH_LIB"])
mlflow = lib

BATCH = 1000


def populate(client: Any, points: int) -> None:
    metric = _bench.submodule("entities").Metric
    experiment_id = client.create_experiment("bench-history")
    run_id = client.create_run(experiment_id).info.run_id
    stamp = _bench.now_ms()
    for first in range(0, points, BATCH):
        steps = range(first, min(first + BATCH, points))
        client.log_batch(
            run_id,
            metrics=[
                metric(key="loss", value=1.0 / (s + 1), timestamp=stamp + s, step=s) for s in steps
            ],
        )
    _bench.save_state({"run_id": run_id, "points": points})


def measure(client: Any, queries: int) -> None:
    state = _bench.load_state()

    def read() -> Any:
        return client.get_metric_history(state["run_id"], "loss")

    history = read()
    _bench.check(len(history) == state["points"], f"read {len(history)} of {state['points']}")
    seconds = _bench.median_seconds(read, queries)
    _bench.emit("get_metric_history", seconds * 1000, "ms", points=state["points"])


def main() -> None:
    mlflow.set_tracking_uri(_bench.tracking_uri())
    client = mlflow.MlflowClient()
    if _bench.is_setup_phase():
        populate(client, _bench.env_int("BENCH_POINTS"))
    else:
        measure(client, _bench.env_int("BENCH_QUERIES"))


if __name__ == "__main__":
    main()
