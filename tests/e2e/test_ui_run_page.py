"""Run page: overview, description and tags edited and persisted; artifact previews."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import UiServer


def run_tags(ui_server: UiServer, run_id: str) -> dict[str, str]:
    run = ui_server.api("GET", "runs/get", params={"run_id": run_id})["run"]
    return {t["key"]: t["value"] for t in run["data"].get("tags", [])}


def test_overview_shows_run_and_children(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/runs/{ui_server.ids['alpha']}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(ui_server.ids["alpha"])
    expect(facts).to_contain_text("FINISHED")
    expect(facts).to_contain_text("1m 5s")
    expect(facts.get_by_role("link", name="alpha-fold-1")).to_be_visible()
    expect(page.locator(".markdown h1")).to_have_text("Alpha")
    expect(page.locator(".markdown strong")).to_have_text("baseline")
    datasets = page.locator("table.grid", has_text="Digest")
    expect(datasets.locator("tbody td")).to_have_text(["iris", "d1g35t", "local", "train"])
    page.get_by_role("tab", name="Params").click()
    expect(page.locator("table.kv tr", has_text="lr")).to_contain_text("0.1")
    page.get_by_role("tab", name="Metrics").click()
    expect(
        page.locator("table.metrics tr", has_text="loss").locator("svg.sparkline")
    ).to_be_visible()


def test_edit_description_persists(page: Page, ui_server: UiServer) -> None:
    run_id = ui_server.ids["beta"]
    page.goto(f"{ui_server.url}#/runs/{run_id}")
    page.get_by_role("button", name="Edit description").click()
    page.get_by_label("description").fill("Tried a *smaller* rate.\n\n- one\n- two")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".markdown em")).to_have_text("smaller")
    expect(page.locator(".markdown li")).to_have_text(["one", "two"])
    assert run_tags(ui_server, run_id)["mlflow.note.content"].startswith("Tried a *smaller* rate.")


def test_edit_add_delete_tags_persist(page: Page, ui_server: UiServer) -> None:
    run_id = ui_server.ids["gamma"]
    page.goto(f"{ui_server.url}#/runs/{run_id}/tags")
    row = page.locator('tr[data-tag="team"]')
    row.get_by_role("button", name="Edit tag team").click()
    editor = page.get_by_role("textbox", name="tag team")
    editor.fill("nlp")
    editor.press("Enter")
    expect(row).to_contain_text("nlp")
    assert run_tags(ui_server, run_id)["team"] == "nlp"

    page.get_by_label("New tag key").fill("reviewed")
    page.get_by_label("New tag value").fill("yes")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator('tr[data-tag="reviewed"]')).to_contain_text("yes")
    assert run_tags(ui_server, run_id)["reviewed"] == "yes"

    page.get_by_role("button", name="Delete tag reviewed").click()
    expect(page.locator('tr[data-tag="reviewed"]')).to_have_count(0)
    assert "reviewed" not in run_tags(ui_server, run_id)


def test_artifact_previews(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/runs/{ui_server.ids['alpha']}/artifacts")
    files = page.get_by_role("navigation", name="Artifacts")

    files.get_by_role("link", name="plot.png").click()
    image = page.locator("img.artifact-image")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.artifact-image')?.naturalWidth === 8")

    files.get_by_role("link", name="train.log").click()
    expect(page.locator('pre[data-preview="text"]')).to_contain_text("epoch 2 loss=0.5")

    files.get_by_role("link", name="config.json").click()
    expect(page.locator('pre[data-preview="json"]')).to_contain_text('"optimizer": "adam"')

    files.get_by_role("link", name="predictions.csv").click()
    csv = page.locator('table[data-preview="csv"]')
    expect(csv.locator("th")).to_have_text(["id", "label", "note"])
    expect(csv.locator("tbody tr").first.locator("td")).to_have_text(["1", "cat", "fluffy, small"])

    files.get_by_role("link", name="page.html").click()
    frame = page.locator("iframe.artifact-frame")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe.artifact-frame").locator("h1")).to_have_text("report")
    assert page.title() == "mltrail"  # the artifact's script did not run in the app

    files.get_by_role("link", name="model").click()
    files.get_by_role("link", name="MLmodel").click()
    card = page.locator('[data-preview="mlmodel"]')
    expect(card.locator(".flavors li")).to_have_count(2)
    expect(card).to_contain_text("sklearn")
    expect(card).to_contain_text("sepal_length")
    expect(card.locator("pre.code").first).to_contain_text('"sepal_length"')


def test_artifact_deep_link_and_missing_file(page: Page, ui_server: UiServer) -> None:
    base = f"{ui_server.url}#/runs/{ui_server.ids['alpha']}/artifacts"
    page.goto(f"{base}?path=config.json")
    expect(page.locator('pre[data-preview="json"]')).to_contain_text('"layers"')
    page.goto(f"{base}?path=nope.txt")
    expect(page.locator(".preview .empty")).to_contain_text("No artifact")
