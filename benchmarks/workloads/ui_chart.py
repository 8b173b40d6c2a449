"""Web UI: the chart of one metric with BENCH_POINTS points (one run) on the run's page, in
headless Chromium: time from navigation until the chart is drawn; then, for mltrail, an
interaction (the cursor swept across the chart, then a drag to zoom, which fetches finer
points) watched for long tasks and gaps between frames.

Setup phase (the library's interpreter): the points through `log_batch`, 1000 at a time
(MLflow's per-request limit). Measure phase (the harness's interpreter, with Playwright)
against the library's server at BENCH_TRACKING_URI: one untimed load, then BENCH_LOADS timed
loads, each in a fresh browser context.
"""

from __future__ import annotations

import importlib
import math
import os
import statistics
from typing import Any

import _bench
import _browser

METRIC = "curve"
BATCH = 1000
# A long task is one of 50 ms or more (the browser's definition); during the interaction
# the page should have none.
SWEEP_MOVES = 30


def populate(points: int) -> None:
    mlflow = importlib.import_module(os.environ["BENCH_LIB"])
    metric = _bench.submodule("entities").Metric
    mlflow.set_tracking_uri(_bench.tracking_uri())
    client = mlflow.MlflowClient()
    experiment_id = client.create_experiment("bench-ui-chart")
    run = client.create_run(experiment_id, run_name=f"{_browser.RUN_PREFIX}long")
    run_id = run.info.run_id
    stamp = _bench.now_ms()
    for first in range(0, points, BATCH):
        steps = range(first, min(first + BATCH, points))
        client.log_batch(
            run_id,
            metrics=[
                metric(
                    key=METRIC,
                    value=math.exp(-s / points) + 0.05 * math.sin(s / 50),
                    timestamp=stamp + s,
                    step=s,
                )
                for s in steps
            ],
        )
        if (first // BATCH + 1) % 100 == 0:
            _bench.progress(f"  logged {first + BATCH}/{points} points")
    client.set_terminated(run_id)
    _bench.save_state({"experiment_id": experiment_id, "run_id": run_id, "points": points})


def load(chromium: Any, url: str) -> tuple[float, Any]:
    """Milliseconds until the chart is drawn, and the still open page."""
    drawn = _browser.ui().chart_drawn.replace("{metric}", METRIC)
    page = _browser.open_page(chromium, {"chart": drawn})
    page.goto(url, wait_until="commit")
    return _browser.wait_mark(page, "chart"), page


def interact(page: Any) -> dict[str, float]:
    """Sweep the cursor over mltrail's chart, then drag-zoom on 5 % of the steps; measure
    from the first move until the zoomed chart is drawn."""
    chart = page.locator(f'figure.chart[data-metric="{METRIC}"]')
    before = chart.get_attribute("data-steps")
    box = chart.locator(".u-over").bounding_box()
    _bench.check(box is not None, "the chart has no plot area")
    started = float(page.evaluate("(window.__bench.recordFrames(), performance.now())"))
    y = box["y"] + box["height"] / 2
    for i in range(SWEEP_MOVES + 1):
        page.mouse.move(box["x"] + box["width"] * i / SWEEP_MOVES, y)
    page.mouse.move(box["x"] + box["width"] * 0.40, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=10)
    page.mouse.up()
    released = float(page.evaluate("performance.now()"))
    page.wait_for_function(
        f"""() => {{
          const fig = document.querySelector('figure.chart[data-metric="{METRIC}"]');
          return fig.dataset.steps !== {before!r} && Number(fig.dataset.points) > 0;
        }}""",
        timeout=_browser.WAIT_MS,
        polling="raf",
    )
    # One more frame: the zoomed chart is on screen.
    ended = float(
        page.evaluate("new Promise(r => requestAnimationFrame(() => r(performance.now())))")
    )
    gaps = page.evaluate("window.__bench.stopFrames()")
    tasks = _browser.long_tasks(page, since_ms=started)
    return {
        "zoom": ended - released,
        "long_tasks": float(len(tasks)),
        "longest_task": max((took for _, took in tasks), default=0.0),
        "frame_gap": max(gaps, default=0.0),
    }


def measure(loads: int) -> None:
    state = _bench.load_state()
    base = _bench.tracking_uri().rstrip("/")
    _browser.require_ui(base)
    ui = _browser.ui()
    url = ui.chart_url.format(
        base=base, experiment_id=state["experiment_id"], run_id=state["run_id"]
    )
    drawn: list[float] = []
    interactions: list[dict[str, float]] = []
    with _browser.browser() as chromium:
        _, page = load(chromium, url)  # warms the server's caches; not timed
        page.context.close()
        for _ in range(loads):
            took, page = load(chromium, url)
            drawn.append(took)
            if os.environ["BENCH_LIB"] == "mltrail":
                interactions.append(interact(page))
            page.context.close()
    _bench.emit("chart_drawn", statistics.median(drawn), "ms", points=state["points"], loads=drawn)
    if interactions:
        worst = {key: max(i[key] for i in interactions) for key in interactions[0]}
        _bench.emit("chart_zoom", statistics.median(i["zoom"] for i in interactions), "ms")
        # The worst of the loads: "no long task" must hold every time.
        _bench.emit(
            "interaction_long_tasks",
            worst["long_tasks"],
            "tasks",
            longest_ms=round(worst["longest_task"], 1),
        )
        _bench.emit("interaction_frame_gap", worst["frame_gap"], "ms")


def main() -> None:
    if _bench.is_setup_phase():
        populate(_bench.env_int("BENCH_POINTS"))
    else:
        measure(_bench.env_int("BENCH_LOADS"))


if __name__ == "__main__":
    main()
