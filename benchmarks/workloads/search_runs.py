"""`MlflowClient.search_runs` with a filter and an order over BENCH_RUNS runs.

Setup phase: create the runs (a few params, metrics and tags each) with `log_batch`.
Measure phase: one untimed query, then the median of BENCH_QUERIES timed ones; the result
is checked for size, filter and order.
"""

from __future__ import annotations

import importlib
import os
import random
from typing import Any

import _bench

lib = importlib.import_module(os.environ["BENCH_LIB"])
mlflow = lib

FILTER = "metrics.acc > 0.5 and params.model = 'a'"
ORDER_BY = ["metrics.acc DESC"]
PAGE = 100


def populate(client: Any, runs: int) -> None:
    entities = _bench.submodule("entities")
    rng = random.Random(42)
    experiment_id = client.create_experiment("bench-search")
    matches = 0
    for index in range(runs):
        acc, model = rng.random(), rng.choice("abc")
        matches += acc > 0.5 and model == "a"
        stamp = _bench.now_ms()
        run_id = client.create_run(experiment_id).info.run_id
        client.log_batch(
            run_id,
            metrics=[
                entities.Metric(key="acc", value=acc, timestamp=stamp, step=0),
                entities.Metric(key="loss", value=1 - acc, timestamp=stamp, step=0),
            ],
            params=[
                entities.Param(key="model", value=model),
                entities.Param(key="lr", value=str(rng.choice([0.1, 0.01, 0.001]))),
                entities.Param(key="batch_size", value=str(rng.choice([32, 64]))),
            ],
            tags=[entities.RunTag(key="team", value=rng.choice(["x", "y"]))],
        )
        if (index + 1) % 1000 == 0:
            _bench.progress(f"  created {index + 1}/{runs} runs")
    _bench.save_state({"experiment_id": experiment_id, "matches": matches})


def measure(client: Any, queries: int) -> None:
    state = _bench.load_state()

    def query() -> Any:
        return client.search_runs(
            [state["experiment_id"]], filter_string=FILTER, order_by=ORDER_BY, max_results=PAGE
        )

    found = query()
    accs = [run.data.metrics["acc"] for run in found]
    _bench.check(len(found) == min(PAGE, state["matches"]), f"got {len(found)} runs")
    _bench.check(accs == sorted(accs, reverse=True), "results are not ordered by acc")
    _bench.check(
        all(a > 0.5 and r.data.params["model"] == "a" for a, r in zip(accs, found, strict=True)),
        "results do not match the filter",
    )
    seconds = _bench.median_seconds(query, queries)
    _bench.emit("search_runs", seconds * 1000, "ms", queries=queries)


def main() -> None:
    mlflow.set_tracking_uri(_bench.tracking_uri())
    client = mlflow.MlflowClient()
    if _bench.is_setup_phase():
        populate(client, _bench.env_int("BENCH_RUNS"))
    else:
        measure(client, _bench.env_int("BENCH_QUERIES"))


if __name__ == "__main__":
    main()
