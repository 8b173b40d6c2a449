"""Web UI: an experiment of BENCH_RUNS runs (20 metrics, 3 params, 2 tags each) opened in
headless Chromium; time from navigation to the first rows of the runs table painted, and the
JavaScript the page loaded to get there.

Setup phase (the library's interpreter): the runs through `create_run` + `log_batch`.
Measure phase (the harness's interpreter, with Playwright) against the library's server at
BENCH_TRACKING_URI: one untimed load warms the server, then each timed load is a fresh
browser context (empty cache). JavaScript is every script requested before the rows were
painted (MLflow's page keeps polling, so "network idle" never comes): bytes on the wire as
served, and gzip -9 of the same bytes.
"""

from __future__ import annotations

import importlib
import os
import random
import statistics
from typing import Any

import _bench
import _browser

METRICS = 20


def populate(runs: int) -> None:
    mlflow = importlib.import_module(os.environ["BENCH_LIB"])
    entities = _bench.submodule("entities")
    mlflow.set_tracking_uri(_bench.tracking_uri())
    client = mlflow.MlflowClient()
    rng = random.Random(7)
    experiment_id = client.create_experiment("bench-ui-runs")
    for index in range(runs):
        stamp = _bench.now_ms()
        run = client.create_run(experiment_id, run_name=f"{_browser.RUN_PREFIX}{index:05d}")
        client.log_batch(
            run.info.run_id,
            metrics=[
                entities.Metric(key=f"metric_{k:02d}", value=rng.random(), timestamp=stamp, step=0)
                for k in range(METRICS)
            ],
            params=[
                entities.Param(key="model", value=rng.choice(["cnn", "mlp", "gbm"])),
                entities.Param(key="lr", value=str(rng.choice([0.1, 0.01, 0.001]))),
                entities.Param(key="seed", value=str(index)),
            ],
            tags=[
                entities.RunTag(key="team", value=rng.choice(["x", "y"])),
                entities.RunTag(key="stage", value="bench"),
            ],
        )
        client.set_terminated(run.info.run_id)
        if (index + 1) % 1000 == 0:
            _bench.progress(f"  created {index + 1}/{runs} runs")
    _bench.save_state({"experiment_id": experiment_id, "runs": runs})


def load(chromium: Any, url: str) -> tuple[float, list[_browser.Script]]:
    """Milliseconds to the first rows painted, and the scripts requested until then."""
    page = _browser.open_page(chromium, {"rows": _browser.ui().rows_painted})
    responses: list[Any] = []
    # A lambda: Playwright tags its handlers, which a bound builtin method cannot carry.
    page.on("response", lambda response: responses.append(response))  # noqa: PLW0108
    try:
        page.goto(url, wait_until="commit")
        painted = _browser.wait_mark(page, "rows")
        return painted, _browser.script_sizes(page, responses, until_ms=painted)
    finally:
        page.context.close()


def measure(loads: int) -> None:
    state = _bench.load_state()
    base = _bench.tracking_uri().rstrip("/")
    _browser.require_ui(base)
    url = _browser.ui().runs_url.format(base=base, experiment_id=state["experiment_id"])
    with _browser.browser() as chromium:
        load(chromium, url)  # warms the server's caches; not timed
        timed = [load(chromium, url) for _ in range(loads)]
    painted = [ms for ms, _ in timed]
    scripts = timed[-1][1]
    _bench.check(bool(scripts), "no JavaScript was loaded")
    _bench.emit("first_rows", statistics.median(painted), "ms", runs=state["runs"], loads=painted)
    _bench.emit(
        "js_gzip",
        sum(s.gzip_bytes for s in scripts) / 1000,
        "kB",
        files=len(scripts),
        raw_kb=round(sum(s.raw_bytes for s in scripts) / 1000, 1),
    )
    _bench.emit("js_transferred", sum(s.wire_bytes for s in scripts) / 1000, "kB")


def main() -> None:
    if _bench.is_setup_phase():
        populate(_bench.env_int("BENCH_RUNS"))
    else:
        measure(_bench.env_int("BENCH_LOADS"))


if __name__ == "__main__":
    main()
