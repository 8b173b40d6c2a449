"""Shared by the web-UI workloads: headless Chromium through Playwright, and what each UI
looks like (its URLs and the DOM that tells a view has been painted).

The measure phase of a UI workload runs in the harness's own interpreter (the project venv,
which has Playwright), whichever server it drives; only the setup phase uses the library.
Timings are taken inside the page: `performance.now()` counts from the start of navigation,
and a probe installed before any page script watches the DOM for the view's signal, then
waits for the next frame to be painted (requestAnimationFrame, then a task) before it marks.
"""

from __future__ import annotations

import gzip
import json
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _bench

CHROMIUM = "/usr/bin/chromium"
# The flags the e2e tests use: no sandbox in containers, no GPU, no background traffic.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}
WAIT_MS = 180_000
RUN_PREFIX = "ui-run-"

# Installed before the page's own scripts. `watch(name, test)` marks the time of the first
# frame painted after `test()` holds; long tasks are recorded from the start.
PROBE = """
(() => {
  const b = (window.__bench = { marks: {}, longTasks: [], gaps: null });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  b.visible = (el) => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight;
  };
  b.watch = (name, test) => {
    const check = () => {
      if (name in b.marks || !test()) return false;
      b.marks[name] = null;
      requestAnimationFrame(() => setTimeout(() => (b.marks[name] = performance.now()), 0));
      return true;
    };
    if (check()) return;
    const mo = new MutationObserver(() => check() && mo.disconnect());
    mo.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  };
  // Frame gaps: the longest time between two animation frames while recording.
  b.recordFrames = () => {
    b.gaps = [];
    let last = performance.now();
    const tick = (t) => {
      if (b.gaps === null) return;
      b.gaps.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  b.stopFrames = () => {
    const gaps = b.gaps || [];
    b.gaps = null;
    return gaps;
  };
  for (const [name, test] of Object.entries(WATCHES)) b.watch(name, new Function(test));
})();
"""


@dataclass(frozen=True)
class Ui:
    """Where a library's UI shows each view, and a JS test that the view is painted
    (a function body run against the DOM, with `b` the probe)."""

    runs_url: str
    chart_url: str
    rows_painted: str
    chart_drawn: str


# Both UIs link every run name in the runs table to the run's page.
ROWS_PAINTED = f"""
return [...document.querySelectorAll('a[href*="/runs/"]')].some(
  (a) => a.textContent.trim().startsWith({json.dumps(RUN_PREFIX)}) && window.__bench.visible(a));
"""

UIS = {
    # Hash-routed; the run page's Charts tab draws the run's metrics with uPlot on a canvas.
    "mltrail": Ui(
        runs_url="{base}/#/experiments/{experiment_id}",
        chart_url="{base}/#/runs/{run_id}/charts",
        rows_painted=ROWS_PAINTED,
        chart_drawn="""
const fig = document.querySelector('figure.chart[data-metric="{metric}"]');
return !!fig && Number(fig.dataset.points) > 0
  && window.__bench.visible(fig.querySelector("canvas"));
""",
    ),
    # Hash-routed too; the run page's "Model metrics" tab draws each metric with Plotly
    # (SVG): drawn once a trace's line in the plot area has a path.
    "mlflow": Ui(
        runs_url="{base}/#/experiments/{experiment_id}/runs",
        chart_url="{base}/#/experiments/{experiment_id}/runs/{run_id}/model-metrics",
        rows_painted=ROWS_PAINTED,
        chart_drawn="""
return [...document.querySelectorAll(".js-plotly-plot .scatterlayer path.js-line")].some(
  (p) => /^M[\\d.-]/.test(p.getAttribute("d") || "") && window.__bench.visible(p));
""",
    ),
}


def ui() -> Ui:
    return UIS[os.environ["BENCH_LIB"]]


def probe(watches: dict[str, str]) -> str:
    return PROBE.replace("WATCHES", json.dumps(watches))


def require_ui(base: str) -> None:
    """Fail at once, not after a long wait, when a prerequisite is missing."""
    _bench.check(Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: run scripts/system-deps")
    with urllib.request.urlopen(f"{base}/", timeout=30) as answer:
        page = answer.read().decode(errors="replace")
    _bench.check("<script" in page, f"{base}/ serves no web UI (for mltrail: scripts/build-ui)")


@contextmanager
def browser() -> Iterator[Any]:
    """Debian's Chromium (never a downloaded one), headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(chromium: Any, watches: dict[str, str]) -> Any:
    """A page in a fresh context (empty cache and storage) with the probe installed."""
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.add_init_script(probe(watches))
    return page


def wait_mark(page: Any, name: str) -> float:
    """Milliseconds from the start of navigation to the frame the watch `name` marked."""
    page.wait_for_function(
        f"window.__bench && typeof window.__bench.marks[{json.dumps(name)}] === 'number'",
        timeout=WAIT_MS,
        polling=50,
    )
    return float(page.evaluate(f"window.__bench.marks[{json.dumps(name)}]"))


def long_tasks(page: Any, since_ms: float = 0.0) -> list[tuple[float, float]]:
    found = page.evaluate("window.__bench.longTasks")
    return [(float(start), float(took)) for start, took in found if start >= since_ms]


@dataclass(frozen=True)
class Script:
    url: str
    wire_bytes: int
    raw_bytes: int
    gzip_bytes: int


def script_sizes(page: Any, responses: list[Any], until_ms: float) -> list[Script]:
    """The JavaScript responses to requests made in the first `until_ms` of the page: bytes
    on the wire as served, raw, and gzip -9 (the same compression for both UIs, whatever
    the server does)."""
    cutoff = float(page.evaluate("performance.timeOrigin")) + until_ms
    found = []
    for response in responses:
        request = response.request
        if request.resource_type != "script" or not response.ok:
            continue
        if request.timing["startTime"] > cutoff:
            continue
        body = response.body()
        wire = request.sizes()["responseBodySize"]
        found.append(Script(response.url, wire, len(body), len(gzip.compress(body, 9))))
    return found
