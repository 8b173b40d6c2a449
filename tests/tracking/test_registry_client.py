"""The client's and fluent API's registry methods on the embedded SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import mltrail
from mltrail.errors import MltrailError
from mltrail.tracking import _stores
from mltrail.tracking._client_registry import clear_registry_stores


@pytest.fixture
def client(sqlite_uri: str) -> Iterator[mltrail.MlflowClient]:
    mltrail.set_tracking_uri(sqlite_uri)
    yield mltrail.MlflowClient()
    clear_registry_stores()
    _stores.clear()


def test_register_model_from_a_run(client: mltrail.MlflowClient) -> None:
    with mltrail.start_run() as run:
        mltrail.log_text("w", "model/w.txt")
    first = mltrail.register_model(f"runs:/{run.info.run_id}/model", "clf", tags={"a": "1"})
    second = mltrail.register_model(f"runs:/{run.info.run_id}/model", "clf")
    assert (first.version, second.version) == ("1", "2")
    assert first.source == f"{run.info.artifact_uri}/model"
    assert first.run_id == run.info.run_id
    assert first.tags == {"a": "1"}
    assert client.get_model_version_download_uri("clf", 1) == first.source


def test_local_source_outside_the_store_is_refused(
    client: mltrail.MlflowClient, tmp_path: Path
) -> None:
    client.create_registered_model("m")
    with pytest.raises(MltrailError) as caught:
        client.create_model_version("m", str(tmp_path.parent / "elsewhere"))
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    assert client.search_model_versions("name = 'm'") == []


def test_stages_aliases_and_model_uris(client: mltrail.MlflowClient) -> None:
    client.create_registered_model("m")
    for _ in range(3):
        client.create_model_version("m", "s3://bucket/model")
    client.transition_model_version_stage("m", 1, "Production")
    client.transition_model_version_stage("m", 2, "production", archive_existing_versions=True)
    assert client.get_model_version("m", 1).current_stage == "Archived"
    client.set_registered_model_alias("m", "champion", 3)
    assert client.resolve_model_version("models:/m@champion").version == "3"
    assert client.resolve_model_version("models:/m/Production").version == "2"
    assert client.resolve_model_version("models:/m/latest").version == "3"
    assert client.resolve_model_version("models:/m/1").version == "1"
    copied = client.copy_model_version("models:/m@champion", "other")
    assert (copied.name, copied.version, copied.source) == ("other", "1", "models:/m/3")
    assert client.get_model_version_stages("m", 1) == ["None", "Staging", "Production", "Archived"]


def test_version_tags_by_stage_and_fluent_search(client: mltrail.MlflowClient) -> None:
    for name in ("a", "b"):
        client.create_registered_model(name)
        client.create_model_version(name, "s3://bucket/model")
    client.transition_model_version_stage("a", 1, "Staging")
    client.set_model_version_tag("a", key="checked", value=True, stage="Staging")
    assert client.get_model_version("a", 1).tags == {"checked": "True"}
    client.delete_model_version_tag("a", version=1, key="checked")
    assert client.get_model_version("a", 1).tags == {}
    assert [m.name for m in mltrail.search_registered_models()] == ["a", "b"]
    assert [m.name for m in mltrail.search_registered_models(max_results=1)] == ["a"]
    found = mltrail.search_model_versions(filter_string="name = 'b'")
    assert [(v.name, v.version) for v in found] == [("b", "1")]
    with pytest.raises(MltrailError, match="cannot be set together"):
        client.set_model_version_tag("a", 1, "k", "v", stage="Staging")
