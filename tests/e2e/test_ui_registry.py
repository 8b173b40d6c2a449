"""Model registry pages: the models list (search, sort, pages), a model (description, tags,
aliases, versions, rename, delete) and a version (stage transitions), checked through REST."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import UiServer
from tests.e2e.seed import REGISTRY_MODEL, REGISTRY_ODD_NAME


def model_href(name: str, version: str | None = None) -> str:
    path = f"#/models/{quote(name, safe='')}"
    return f"{path}/versions/{version}" if version else path


def get_model(ui_server: UiServer, name: str) -> dict[str, Any]:
    model: dict[str, Any] = ui_server.api("GET", "registered-models/get", params={"name": name})[
        "registered_model"
    ]
    return model


def get_version(ui_server: UiServer, name: str, version: str) -> dict[str, Any]:
    found = ui_server.api("GET", "model-versions/get", params={"name": name, "version": version})
    mv: dict[str, Any] = found["model_version"]
    return mv


def new_model(ui_server: UiServer, name: str, versions: int = 0) -> None:
    """A model of the test's own (tests share one server), versions from the seeded alpha run."""
    ui_server.api("POST", "registered-models/create", json={"name": name})
    alpha = ui_server.ids["alpha"]
    for _ in range(versions):
        ui_server.api(
            "POST",
            "model-versions/create",
            json={"name": name, "source": f"runs:/{alpha}/model", "run_id": alpha},
        )


def test_models_list_shows_registered_data(page: Page, ui_server: UiServer) -> None:
    page.goto(ui_server.url)
    page.get_by_role("navigation").get_by_role("link", name="Models").click()
    row = page.locator(f'tr[data-model="{REGISTRY_MODEL}"]')
    expect(row).to_contain_text("v2 Production")
    expect(row).to_contain_text("v3 Staging")
    expect(row.locator(".chip.version")).to_have_text(
        ["v1 Archived", "v2 Production", "v3 Staging"]
    )
    expect(row.locator(".summary")).to_have_text("Classifies iris flowers.")  # first line, plain
    expect(row.locator(".chip.alias")).to_have_text(["@challenger → v3", "@champion → v2"])
    expect(row).to_contain_text("team: vision")
    odd = page.locator(f'tr[data-model="{REGISTRY_ODD_NAME}"]')
    odd.get_by_role("link", name=REGISTRY_ODD_NAME).click()
    expect(page).to_have_url(f"{ui_server.url}{model_href(REGISTRY_ODD_NAME)}")
    expect(page.locator("h1")).to_contain_text(REGISTRY_ODD_NAME)
    expect(page.locator('tr[data-version="1"]')).to_contain_text("None")


def test_search_and_sort_change_the_list(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/models")
    names = page.locator("table.models tbody tr a.model-name")
    expect(names.first).to_be_visible()
    page.get_by_label("Sort models").select_option("name ASC")
    expect(page).to_have_url(f"{ui_server.url}#/models?order=name+ASC")
    # The table is drawn only once the newly sorted page has arrived.
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Name")
    ascending = names.all_text_contents()
    assert ascending == sorted(ascending)
    assert ascending[0] == "aardvark-baseline"
    page.get_by_role("button", name="Name ▲").click()  # the header flips the order
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Name")
    descending = names.all_text_contents()
    assert descending == sorted(descending, reverse=True)
    assert "aardvark-baseline" not in descending[:1]

    search = page.get_by_label("Search models")
    page.keyboard.press("/")
    expect(search).to_be_focused()
    search.fill("IRIS")  # plain text: case-insensitive, anywhere in the name
    search.press("Enter")
    expect(names).to_have_text([REGISTRY_MODEL])
    search.fill("name LIKE 'fraud%'")  # the registry's filter grammar, as typed
    search.press("Enter")
    expect(names).to_have_text([REGISTRY_ODD_NAME])
    search.fill("tags.team = 'tabular'")
    search.press("Enter")
    expect(names).to_have_text(["aardvark-baseline"])
    search.fill("no-such-model")
    search.press("Enter")
    expect(page.locator(".empty")).to_contain_text("No registered model matches")
    search.fill("name LIKE")  # a bad filter shows the server's message, not a blank page
    search.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Invalid")


def test_pages_with_page_tokens(page: Page, ui_server: UiServer) -> None:
    for i in range(27):
        ui_server.api("POST", "registered-models/create", json={"name": f"paged-{i:02d}"})
    page.goto(f"{ui_server.url}#/models?q=paged-&order=name+ASC")
    names = page.locator("table.models tbody tr a.model-name")
    expect(names).to_have_count(25)
    expect(names.first).to_have_text("paged-00")
    page.get_by_role("button", name="Next").click()
    expect(names).to_have_text(["paged-25", "paged-26"])
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_role("button", name="Previous").click()
    expect(names).to_have_count(25)
    page.get_by_label("Models per page").select_option("50")
    expect(names).to_have_count(27)


def test_create_model_opens_its_page(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/models")
    page.get_by_label("New model name").fill("made in the ui/v1")
    page.get_by_role("button", name="Create model").click()
    expect(page).to_have_url(f"{ui_server.url}{model_href('made in the ui/v1')}")
    expect(page.locator(".empty", has_text="No versions yet")).to_be_visible()
    assert get_model(ui_server, "made in the ui/v1")["name"] == "made in the ui/v1"


def test_model_page_description_and_tags_persist(page: Page, ui_server: UiServer) -> None:
    name = "described-model"
    new_model(ui_server, name, versions=2)
    page.goto(f"{ui_server.url}{model_href(name)}")
    expect(page.locator("table.versions tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Edit description").click()
    page.get_by_label("description").fill("Serves *nightly* batches.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".markdown em")).to_have_text("nightly")
    assert get_model(ui_server, name)["description"] == "Serves *nightly* batches."

    page.get_by_label("New tag key").fill("owner")
    page.get_by_label("New tag value").fill("ana")
    page.get_by_role("button", name="Add tag").click()
    row = page.locator('tr[data-tag="owner"]')
    expect(row).to_contain_text("ana")
    row.get_by_role("button", name="Edit tag owner").click()
    editor = page.get_by_role("textbox", name="tag owner")
    editor.fill("bo")
    editor.press("Enter")
    expect(row).to_contain_text("bo")
    tags = {t["key"]: t["value"] for t in get_model(ui_server, name).get("tags", [])}
    assert tags == {"owner": "bo"}
    row.get_by_role("button", name="Delete tag owner").click()
    expect(row).to_have_count(0)
    assert not get_model(ui_server, name).get("tags")


def test_alias_set_and_delete_persist(page: Page, ui_server: UiServer) -> None:
    name = "aliased-model"
    new_model(ui_server, name, versions=2)
    page.goto(f"{ui_server.url}{model_href(name)}")
    page.get_by_label("New alias").fill("champion")
    page.get_by_label("Alias version").select_option("1")
    page.get_by_role("button", name="Set alias").click()
    expect(page.locator('[data-alias="champion"]')).to_contain_text("@champion → v1")
    expect(page.locator('tr[data-version="1"]')).to_contain_text("@champion")
    assert get_model(ui_server, name)["aliases"] == [{"alias": "champion", "version": "1"}]

    # On the version page: point a second alias at version 2, then remove the first.
    page.goto(f"{ui_server.url}{model_href(name, '2')}")
    page.get_by_label("New alias").fill("challenger")
    page.get_by_role("button", name="Set alias").click()
    expect(page.locator('[data-alias="challenger"]')).to_be_visible()
    assert get_version(ui_server, name, "2")["aliases"] == ["challenger"]
    page.goto(f"{ui_server.url}{model_href(name)}")
    page.get_by_role("button", name="Delete alias champion").click()
    expect(page.locator('[data-alias="champion"]')).to_have_count(0)
    assert get_model(ui_server, name)["aliases"] == [{"alias": "challenger", "version": "2"}]


def test_stage_transition_archives_existing(page: Page, ui_server: UiServer) -> None:
    name = "staged-model"
    new_model(ui_server, name, versions=2)
    ui_server.api(
        "POST",
        "model-versions/transition-stage",
        json={"name": name, "version": "1", "stage": "Production"},
    )
    page.goto(f"{ui_server.url}{model_href(name, '2')}")
    page.get_by_label("New stage").select_option("Production")
    page.get_by_label("Archive existing Production versions").check()
    page.get_by_role("button", name="Transition to Production").click()
    expect(page.locator(".title-row .stage")).to_have_text("Production")
    assert get_version(ui_server, name, "2")["current_stage"] == "Production"
    assert get_version(ui_server, name, "1")["current_stage"] == "Archived"

    # Without the box ticked, the other version keeps its stage.
    page.get_by_label("New stage").select_option("Staging")
    page.get_by_role("button", name="Transition to Staging").click()
    expect(page.locator(".title-row .stage")).to_have_text("Staging")
    page.goto(f"{ui_server.url}{model_href(name, '1')}")
    page.get_by_label("New stage").select_option("Staging")
    expect(page.get_by_label("Archive existing Staging versions")).not_to_be_checked()
    page.get_by_role("button", name="Transition to Staging").click()
    expect(page.locator(".title-row .stage")).to_have_text("Staging")
    assert get_version(ui_server, name, "2")["current_stage"] == "Staging"


def test_version_page_edits_and_model_card(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}{model_href(REGISTRY_MODEL, '2')}")
    expect(page.locator(".markdown")).to_have_text("Best F1 on the holdout set.")
    expect(page.locator('tr[data-tag="validated"]')).to_contain_text("yes")
    expect(page.get_by_role("link", name=ui_server.ids["alpha"])).to_be_visible()
    # The source is alpha's `model` folder: its MLmodel card shows through the artifact browser.
    expect(page.locator(".model-card")).to_contain_text("sklearn")

    name = "versioned-model"
    new_model(ui_server, name, versions=1)
    page.goto(f"{ui_server.url}{model_href(name, '1')}")
    page.get_by_role("button", name="Edit description").click()
    page.get_by_label("description").fill("first cut")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".markdown")).to_have_text("first cut")
    assert get_version(ui_server, name, "1")["description"] == "first cut"
    page.get_by_label("New tag key").fill("dataset")
    page.get_by_label("New tag value").fill("iris-v2")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator('tr[data-tag="dataset"]')).to_contain_text("iris-v2")
    tags = get_version(ui_server, name, "1")["tags"]
    assert tags == [{"key": "dataset", "value": "iris-v2"}]


def test_rename_and_delete(page: Page, ui_server: UiServer) -> None:
    new_model(ui_server, "to-rename", versions=2)
    page.goto(f"{ui_server.url}{model_href('to-rename')}")
    page.get_by_role("button", name="Edit model name").click()
    page.get_by_label("model name").fill("renamed/model")
    page.get_by_label("model name").press("Enter")
    expect(page).to_have_url(f"{ui_server.url}{model_href('renamed/model')}")
    assert get_model(ui_server, "renamed/model")["name"] == "renamed/model"

    page.goto(f"{ui_server.url}{model_href('renamed/model', '2')}")
    page.get_by_role("button", name="Delete version").click()
    page.get_by_role("button", name="Yes, delete version").click()
    expect(page).to_have_url(f"{ui_server.url}{model_href('renamed/model')}")
    expect(page.locator("table.versions tbody tr")).to_have_count(1)

    page.get_by_role("button", name="Delete model").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("its 1 version?")
    page.keyboard.press("Escape")  # backs out
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    page.get_by_role("button", name="Delete model").click()
    page.get_by_role("button", name="Yes, delete model").click()
    expect(page).to_have_url(f"{ui_server.url}#/models")
    response = httpx.get(
        f"{ui_server.url}api/2.0/mlflow/registered-models/get", params={"name": "renamed/model"}
    )
    assert response.status_code == 404


def test_missing_model_and_version(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}{model_href('no such model')}")
    expect(page.locator(".empty")).to_contain_text("There is no registered model “no such model”")
    page.get_by_role("link", name="Back to all models").click()
    expect(page).to_have_url(f"{ui_server.url}#/models")
    page.goto(f"{ui_server.url}{model_href(REGISTRY_MODEL, '99')}")
    expect(page.locator(".empty")).to_contain_text(
        f"There is no version 99 of model “{REGISTRY_MODEL}”"
    )


def test_run_page_links_its_registered_versions(page: Page, ui_server: UiServer) -> None:
    page.goto(f"{ui_server.url}#/runs/{ui_server.ids['alpha']}")
    versions = page.locator("dd.registered-versions")
    expect(versions.get_by_role("link", name=f"{REGISTRY_MODEL} v2")).to_be_visible()
    versions.get_by_role("link", name=f"{REGISTRY_MODEL} v2").click()
    expect(page).to_have_url(f"{ui_server.url}{model_href(REGISTRY_MODEL, '2')}")
