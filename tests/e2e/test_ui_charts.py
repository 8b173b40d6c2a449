"""Charts: uPlot canvases with the right series, a long metric downsampled by the server,
zoom fetching finer points, smoothing and log scale."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.e2e.conftest import UiServer
from tests.e2e.seed import LONG_POINTS


def test_experiment_chart_draws_each_run(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['experiment']}/charts")
    chart = page.locator('figure.chart[data-metric="loss"]')
    expect(chart.locator("canvas")).to_have_count(1)
    # 3 runs x 50 steps + 2 child runs x 1 point.
    expect(chart).to_have_attribute("data-points", "152")
    legend = chart.locator(".u-legend .u-series .u-label")
    for name in ("alpha", "beta", "gamma", "alpha-fold-1"):
        expect(legend.get_by_text(name, exact=True)).to_have_count(1)


def test_chart_settings_and_hover(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/runs/{ui_server.ids['alpha']}/charts")
    chart = page.locator('figure.chart[data-metric="loss"]')
    expect(chart).to_have_attribute("data-points", "50")
    canvas = chart.locator("canvas")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    value = chart.locator(".u-legend .u-series").nth(1).locator(".u-value")
    expect(value).not_to_have_text("\u2013")  # en dash: no value
    page.get_by_label("Log scale").check()
    page.get_by_label("Smoothing").fill("0.9")
    expect(chart.locator("canvas")).to_have_count(1)
    page.get_by_label("X axis").select_option("relative")
    expect(chart.locator(".u-legend .u-series").first).to_contain_text("seconds")
    # Settings are remembered.
    page.reload()
    expect(page.get_by_label("Log scale")).to_be_checked()


def test_system_metrics_have_their_own_section(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/runs/{ui_server.ids['alpha']}/charts")
    system = page.get_by_role("region", name="System metrics")
    chart = system.locator('figure.chart[data-metric="system/cpu_utilization_percentage"]')
    expect(chart).to_have_attribute("data-points", "6")
    expect(chart.locator("canvas")).to_have_count(1)
    model = page.get_by_role("region", name="Model metrics")
    expect(model.locator("figure.chart")).to_have_count(1)


def test_long_metric_is_downsampled_and_zoom_refines(page: Page, ui_server: UiServer) -> None:
    started = time.monotonic()
    page.goto(f"{ui_server.url}#/runs/{ui_server.ids['long']}/charts")
    chart = page.locator('figure.chart[data-metric="wave"]')
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).not_to_have_attribute("data-points", "0")
    shown = int(chart.get_attribute("data-points") or 0)
    drawn = time.monotonic() - started
    print(f"\n{LONG_POINTS:,}-point metric drawn from {shown} points in {drawn:.2f}s")
    assert 500 <= shown <= 1000  # the server sent an even sample, not 100,000 points

    over = chart.locator(".u-over")
    box = over.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.40, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=5)
    page.mouse.up()
    reset = chart.get_by_role("button", name="Reset zoom")
    expect(reset).to_be_visible()
    label = reset.text_content() or ""
    low, high = (int(v) for v in label.split("steps ")[1].rstrip(")").split("\u2013"))
    assert 0 < high - low < LONG_POINTS / 10
    # The server was asked again for just the zoomed steps: denser points, all in range.
    expect(chart).to_have_attribute("data-steps", f"{low}-{high}")
    zoomed = int(chart.get_attribute("data-points") or 0)
    assert zoomed / (high - low + 1) > 5 * shown / LONG_POINTS
    reset.click()
    expect(chart).to_have_attribute("data-steps", f"0-{LONG_POINTS - 1}")
    expect(chart).to_have_attribute("data-points", str(shown))
