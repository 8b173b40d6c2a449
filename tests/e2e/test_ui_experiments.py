"""Experiments list: search, create, rename, delete, restore — checked through the REST API."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import UiServer


def test_experiments_list_search(page: Page, ui_server: UiServer) -> None:
    page.goto(ui_server.url)
    rows = page.locator("table.experiments tbody tr")
    expect(rows.filter(has_text="ui-demo")).to_have_count(1)
    expect(rows.filter(has_text="ten-thousand")).to_have_count(1)
    page.get_by_label("Search experiments").fill("demo")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ui-demo")
    page.get_by_label("Search experiments").fill("no-such-experiment")
    expect(page.locator(".empty")).to_contain_text("No experiment matches")


def test_create_rename_delete_restore(page: Page, ui_server: UiServer) -> None:
    page.goto(ui_server.url)
    page.get_by_label("New experiment name").fill("made-in-the-ui")
    page.get_by_role("button", name="Create").click()
    row = page.locator("table.experiments tbody tr", has_text="made-in-the-ui")
    expect(row).to_have_count(1)
    found = ui_server.api(
        "GET", "experiments/get-by-name", params={"experiment_name": "made-in-the-ui"}
    )
    experiment_id = found["experiment"]["experiment_id"]

    row.get_by_role("button", name="Edit name of made-in-the-ui").click()
    page.get_by_label("name of made-in-the-ui").fill("renamed-in-the-ui")
    page.get_by_label("name of made-in-the-ui").press("Enter")
    expect(page.locator("table.experiments tbody tr", has_text="renamed-in-the-ui")).to_have_count(
        1
    )
    got = ui_server.api("GET", "experiments/get", params={"experiment_id": experiment_id})
    assert got["experiment"]["name"] == "renamed-in-the-ui"

    renamed = page.locator(f'tr[data-experiment-id="{experiment_id}"]')
    renamed.get_by_role("button", name="Delete").click()
    expect(renamed).to_have_count(0)
    got = ui_server.api("GET", "experiments/get", params={"experiment_id": experiment_id})
    assert got["experiment"]["lifecycle_stage"] == "deleted"

    page.get_by_label("Lifecycle").select_option("DELETED_ONLY")
    expect(renamed).to_have_count(1)
    renamed.get_by_role("button", name="Restore").click()
    expect(renamed).to_have_count(0)
    got = ui_server.api("GET", "experiments/get", params={"experiment_id": experiment_id})
    assert got["experiment"]["lifecycle_stage"] == "active"
