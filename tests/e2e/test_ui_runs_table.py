"""Runs table: 10,000 runs virtualized, columns chosen and remembered, server-side sort and
filter, nested runs, selection into compare."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.e2e.conftest import UiServer
from tests.e2e.seed import BULK_RUNS

ROWS = ".runs-table .tbody .tr"


def first_names(page: Page, count: int) -> list[str]:
    return page.locator(f"{ROWS} .td.name a").evaluate_all(
        f"els => els.slice(0, {count}).map(e => e.textContent)"
    )


def test_ten_thousand_runs_scroll(page: Page, ui_server: UiServer) -> None:
    started = time.monotonic()
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['bulk']}")
    expect(page.locator(ROWS).first).to_be_visible()
    # Milliseconds from navigation to the first rows in the page (a mark the table sets).
    first_rows_ms = page.evaluate("performance.getEntriesByName('mltrail:first-rows')[0].startTime")
    expect(page.get_by_test_id("run-count")).to_have_text(f"{BULK_RUNS:,} runs", timeout=60_000)
    all_loaded = time.monotonic() - started
    # Rows are shown from the first page, long before the ten-thousandth run arrives.
    assert first_rows_ms / 1000 < all_loaded / 2, (first_rows_ms, all_loaded)
    # Newest first: the last bulk run on top.
    assert first_names(page, 2) == ["bulk-09999", "bulk-09998"]
    # Virtualized: a screenful of rows exists, not ten thousand.
    rendered = page.locator(ROWS).count()
    assert 10 < rendered < 120, rendered

    table = page.locator(".runs-table")
    frame_ms = table.evaluate(
        """async (el) => {
            // Scroll through the whole table in 40 jumps, timing each frame.
            const times = [];
            for (let i = 1; i <= 40; i++) {
                const t = performance.now();
                el.scrollTop = (el.scrollHeight - el.clientHeight) * i / 40;
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                times.push(performance.now() - t);
            }
            return times;
        }"""
    )
    expect(page.locator(f'{ROWS} .td.name a:text-is("bulk-00000")')).to_be_visible()
    assert page.locator(ROWS).count() < 120
    frame_ms.sort()
    median = frame_ms[len(frame_ms) // 2]
    print(
        f"\nfirst rows {first_rows_ms:.0f} ms after navigation, all {BULK_RUNS} loaded "
        f"{all_loaded:.2f}s, "
        f"scroll frame median {median:.1f} ms, worst {frame_ms[-1]:.1f} ms"
    )
    # Two animation frames per jump. Generous for a 2-core box shared with other jobs (load
    # ~13 when measured: median 220 ms); rendering all 10,000 rows would take seconds.
    assert median < 600, frame_ms


def test_columns_are_chosen_and_remembered(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['bulk']}")
    expect(page.locator(ROWS).first).to_be_visible()
    score = page.locator('.runs-table .th[data-column="metrics.score"]')
    expect(score).to_have_count(0)
    page.get_by_role("button", name="Columns").click()
    page.get_by_role("dialog", name="Choose columns").get_by_label("score").check()
    page.get_by_role("button", name="Done").click()
    expect(score).to_have_count(1)
    page.reload()
    expect(page.locator(ROWS).first).to_be_visible()
    expect(score).to_have_count(1)
    # Per experiment: another experiment keeps its own columns.
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['experiment']}")
    expect(page.get_by_test_id("run-count")).to_have_text("5 runs")
    expect(score).to_have_count(0)
    expect(page.locator('.runs-table .th[data-column="params.lr"]')).to_have_count(1)


def test_sort_by_metric_column(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['bulk']}")
    page.evaluate(
        f"localStorage.setItem('mltrail.columns.{ui_server.ids['bulk']}', "
        "JSON.stringify(['metrics.score', 'params.index']))"
    )
    page.reload()
    header = page.locator('.runs-table .th[data-column="metrics.score"]')
    header.click()  # descending first
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page.locator(f"{ROWS} .td.name a").first).to_have_text("bulk-09999")
    header.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page.locator(f"{ROWS} .td.name a").first).to_have_text("bulk-00000")
    assert first_names(page, 3) == ["bulk-00000", "bulk-00001", "bulk-00002"]
    assert "order=metrics.score+ASC" in page.url
    # The sort is in the URL: a reload keeps it.
    page.reload()
    expect(page.locator(f"{ROWS} .td.name a").first).to_have_text("bulk-00000")


def test_filter_with_search_grammar(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['bulk']}")
    box = page.get_by_label("Filter runs")
    box.fill("params.group = 'odd' and metrics.score < 0.001")
    box.press("Enter")
    expect(page.get_by_test_id("run-count")).to_have_text("5 runs")
    names = sorted(first_names(page, 10))
    assert names == [f"bulk-0000{i}" for i in (1, 3, 5, 7, 9)]
    box = page.get_by_label("Filter runs")
    box.fill("metrics.nope > 1")
    box.press("Enter")
    expect(page.locator(".empty")).to_contain_text("No runs match")
    box = page.get_by_label("Filter runs")
    box.fill("metrics.score >>> 1")
    box.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()


def test_filter_key_completion(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['experiment']}")
    expect(page.locator(ROWS).first).to_be_visible()
    box = page.get_by_label("Filter runs")
    page.locator("h1, .crumbs").first.click()
    page.keyboard.press("/")  # the shortcut focuses the filter
    expect(box).to_be_focused()
    page.keyboard.type("opt")
    expect(page.get_by_role("option", name="params.optimizer")).to_be_visible()
    box.press("Tab")
    expect(box).to_have_value("params.optimizer ")
    box.press_sequentially("= 'sgd'")
    box.press("Enter")
    expect(page.get_by_test_id("run-count")).to_have_text("1 run")
    assert first_names(page, 5) == ["gamma"]


def test_nested_runs_collapse_under_parent(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['experiment']}")
    expect(page.get_by_test_id("run-count")).to_have_text("5 runs")
    assert sorted(first_names(page, 10)) == ["alpha", "beta", "gamma"]
    page.get_by_role("button", name="Expand alpha").click()
    names = first_names(page, 10)
    at = names.index("alpha")
    assert sorted(names[at + 1 : at + 3]) == ["alpha-fold-1", "alpha-fold-2"]


def test_select_runs_and_compare(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/experiments/{ui_server.ids['experiment']}")
    page.get_by_label("Select alpha", exact=True).check()
    page.get_by_label("Select beta", exact=True).check()
    page.get_by_role("link", name="Compare (2)").click()
    expect(page.get_by_role("heading", name="Comparing 2 runs")).to_be_visible()
    params = page.locator('table[data-section="parameters"]')
    expect(params.locator('tr[data-key="lr"]')).to_have_class("differs")
    expect(params.locator('tr[data-key="optimizer"]')).not_to_have_class("differs")
    expect(params.locator('tr[data-key="lr"] td')).to_have_text(["0.1", "0.01"])
    page.get_by_label("Only differences").check()
    expect(params.locator('tr[data-key="optimizer"]')).to_have_count(0)
    expect(page.locator('figure.chart[data-metric="loss"] canvas')).to_have_count(1)
    expect(page.locator("svg.scatter circle")).to_have_count(2)
    # Parallel coordinates: an axis per numeric key that differs or is a metric, a line per run.
    expect(page.locator("svg.parallel g.axis text:first-of-type")).to_have_text(
        ["params.lr", "metrics.loss", "metrics.system/cpu_utilization_percentage"]
    )
    expect(page.locator("svg.parallel g[data-run] polyline")).to_have_count(2)


def test_delete_and_restore_runs(page: Page, ui_server: UiServer) -> None:
    experiment_id = ui_server.api("POST", "experiments/create", json={"name": "deletions"})[
        "experiment_id"
    ]
    run_ids = [
        ui_server.api(
            "POST", "runs/create", json={"experiment_id": experiment_id, "run_name": name}
        )["run"]["info"]["run_id"]
        for name in ("keep", "drop")
    ]
    page.goto(f"{ui_server.url}#/experiments/{experiment_id}")
    expect(page.get_by_test_id("run-count")).to_have_text("2 runs")
    page.get_by_label("Select drop", exact=True).check()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("run-count")).to_have_text("1 run")
    assert first_names(page, 5) == ["keep"]
    run = ui_server.api("GET", "runs/get", params={"run_id": run_ids[1]})["run"]
    assert run["info"]["lifecycle_stage"] == "deleted"

    page.get_by_label("Lifecycle").select_option("DELETED_ONLY")
    expect(page.get_by_test_id("run-count")).to_have_text("1 run")
    page.get_by_label("Select drop", exact=True).check()
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_test_id("run-count")).to_have_text("0 runs")
    run = ui_server.api("GET", "runs/get", params={"run_id": run_ids[1]})["run"]
    assert run["info"]["lifecycle_stage"] == "active"
    # Both running runs show as such, with a live duration.
    page.get_by_label("Lifecycle").select_option("ACTIVE_ONLY")
    expect(page.locator(f"{ROWS} .status.running")).to_have_count(2)
