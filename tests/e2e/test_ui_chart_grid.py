"""Experiment chart grid: charts rearranged by dragging their handle or from the keyboard,
resized, and the layout remembered per experiment across reloads."""

from __future__ import annotations

import uuid

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import UiServer
from tests.e2e.seed import T0

KEYS = ("acc", "loss", "lr")
CELLS = ".chart-grid .chart-cell"


def experiment_with_metrics(ui_server: UiServer) -> str:
    """A fresh experiment (so no other test's layout applies) with one run and three metrics."""
    name = f"chart-grid-{uuid.uuid4().hex[:8]}"
    experiment_id: str = ui_server.api("POST", "experiments/create", json={"name": name})[
        "experiment_id"
    ]
    created = ui_server.api(
        "POST",
        "runs/create",
        json={"experiment_id": experiment_id, "start_time": T0, "run_name": "grid"},
    )
    metrics = [
        {"key": key, "value": 1.0 / (step + 1 + k), "timestamp": T0 + step, "step": step}
        for k, key in enumerate(KEYS)
        for step in range(5)
    ]
    ui_server.api(
        "POST",
        "runs/log-batch",
        json={"run_id": created["run"]["info"]["run_id"], "metrics": metrics},
    )
    return experiment_id


def open_charts(page: Page, ui_server: UiServer, experiment_id: str) -> None:
    page.goto(f"{ui_server.url}#/experiments/{experiment_id}/charts")
    expect(page.locator(CELLS)).to_have_count(len(KEYS))
    expect(page.locator(f"{CELLS} canvas")).to_have_count(len(KEYS))


def order(page: Page) -> list[str]:
    keys: list[str] = page.locator(CELLS).evaluate_all("els => els.map(e => e.dataset.chartKey)")
    return keys


def expect_order(page: Page, keys: list[str]) -> None:
    for index, key in enumerate(keys):
        expect(page.locator(CELLS).nth(index)).to_have_attribute("data-chart-key", key)


def cell(page: Page, key: str) -> Locator:
    return page.get_by_role("group", name=f"Chart {key}", exact=True)


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_drag_moves_a_chart_and_the_order_survives_a_reload(
    page: Page, ui_server: UiServer
) -> None:
    experiment_id = experiment_with_metrics(ui_server)
    open_charts(page, ui_server, experiment_id)
    first, second, third = order(page)

    # Drag the first chart by its handle onto the last one, with real pointer events.
    page.mouse.move(*centre(page.get_by_role("button", name=f"Drag chart {first}")))
    page.mouse.down()
    target_x, target_y = centre(cell(page, third))
    page.mouse.move(target_x, target_y, steps=12)
    expect(cell(page, third)).to_have_class("chart-cell size-medium drop-target")
    page.mouse.up()
    expect_order(page, [second, third, first])
    expect(page.locator(".chart-cell.dragged")).to_have_count(0)

    page.reload()
    expect(page.locator(f"{CELLS} canvas")).to_have_count(len(KEYS))
    assert order(page) == [second, third, first]

    # The layout belongs to that experiment: another one starts from the default order.
    other = experiment_with_metrics(ui_server)
    open_charts(page, ui_server, other)
    assert order(page) == [first, second, third]


def test_keyboard_moves_and_resize_are_remembered(page: Page, ui_server: UiServer) -> None:
    experiment_id = experiment_with_metrics(ui_server)
    open_charts(page, ui_server, experiment_id)
    first, second, third = order(page)

    cell(page, first).focus()
    page.keyboard.press("Alt+ArrowRight")
    expect_order(page, [second, first, third])
    expect(cell(page, first)).to_be_focused()  # the moved chart keeps the focus
    page.keyboard.press("Alt+ArrowRight")
    expect_order(page, [second, third, first])
    page.get_by_role("button", name=f"Move chart {third} left").click()
    expect_order(page, [third, second, first])
    expect(page.get_by_role("button", name=f"Move chart {third} left")).to_be_disabled()

    # Large spans the whole grid; small about a third.
    grid_box = page.locator(".chart-grid").bounding_box()
    assert grid_box is not None
    cell(page, second).get_by_role("button", name="large width").click()
    expect(cell(page, second)).to_have_attribute("data-size", "large")
    expect(cell(page, second).get_by_role("button", name="large width")).to_have_attribute(
        "aria-pressed", "true"
    )
    cell(page, first).get_by_role("button", name="small width").click()
    expect(cell(page, first)).to_have_attribute("data-size", "small")
    large = cell(page, second).bounding_box()
    small = cell(page, first).bounding_box()
    assert large is not None
    assert small is not None
    assert large["width"] > 0.95 * grid_box["width"]
    assert 0.25 * grid_box["width"] < small["width"] < 0.4 * grid_box["width"]

    page.reload()
    expect(page.locator(f"{CELLS} canvas")).to_have_count(len(KEYS))
    assert order(page) == [third, second, first]
    expect(cell(page, second)).to_have_attribute("data-size", "large")
    expect(cell(page, first)).to_have_attribute("data-size", "small")
    expect(cell(page, third)).to_have_attribute("data-size", "medium")
