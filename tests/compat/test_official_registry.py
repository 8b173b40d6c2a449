"""The official `mlflow` client through the whole registry lifecycle against a live mltrail
server: the same answers and error codes as MLflow gives (observed with mlflow's own store)."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

import pytest

pytestmark = [
    pytest.mark.compat,
    # Stages are deprecated in MLflow (still working); the warning is attributed to the caller.
    pytest.mark.filterwarnings("ignore:.*stages.*:FutureWarning"),
]


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _code(mlflow: ModuleType, call: Any) -> str:
    with pytest.raises(mlflow.exceptions.MlflowException) as caught:
        call()
    code: str = caught.value.error_code
    return code


def test_registry_lifecycle(mlflow: ModuleType) -> None:
    client = mlflow.MlflowClient()
    name = _name("clf")
    model = client.create_registered_model(name, tags={"team": "a"}, description="d")
    assert (model.name, model.description, model.tags) == (name, "d", {"team": "a"})
    with mlflow.start_run() as run:
        mlflow.log_text("weights", "model/weights.txt")
    source = f"{run.info.artifact_uri}/model"
    v1 = client.create_model_version(name, source, run.info.run_id, tags={"t": "1"})
    v2 = client.create_model_version(name, source, run.info.run_id, description="second")
    assert (v1.version, v2.version) == ("1", "2") or (v1.version, v2.version) == (1, 2)
    assert v1.status == "READY"
    assert v1.tags == {"t": "1"}
    assert v2.description == "second"

    client.transition_model_version_stage(name, "1", "production")
    moved = client.transition_model_version_stage(
        name, "2", "Production", archive_existing_versions=True
    )
    assert moved.current_stage == "Production"
    assert client.get_model_version(name, "1").current_stage == "Archived"
    assert [v.version for v in client.get_latest_versions(name, ["Production"])] in (["2"], [2])

    client.set_registered_model_alias(name, "champion", "2")
    assert str(client.get_model_version_by_alias(name, "champion").version) == "2"
    assert client.get_registered_model(name).aliases == {"champion": "2"}

    client.set_model_version_tag(name, "2", "validated", "yes")
    client.set_registered_model_tag(name, "owner", "me")
    client.delete_registered_model_tag(name, "team")
    client.update_registered_model(name, "better")
    client.update_model_version(name, "2", "best")
    model = client.get_registered_model(name)
    assert (model.description, model.tags) == ("better", {"owner": "me"})
    assert client.get_model_version(name, "2").tags == {"validated": "yes"}

    assert client.get_model_version_download_uri(name, "2") == source
    loaded = mlflow.artifacts.download_artifacts(f"models:/{name}@champion")
    with open(f"{loaded}/weights.txt") as f:
        assert f.read() == "weights"

    new = _name("renamed")
    client.rename_registered_model(name, new)
    assert str(client.get_model_version_by_alias(new, "champion").version) == "2"
    client.delete_model_version(new, "2")
    assert client.get_registered_model(new).aliases == {}
    client.delete_registered_model(new)
    assert _code(mlflow, lambda: client.get_registered_model(new)) == "RESOURCE_DOES_NOT_EXIST"


def test_search_filters_order_and_pages(mlflow: ModuleType) -> None:
    client = mlflow.MlflowClient()
    prefix = _name("search")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        client.create_registered_model(name)
        client.create_model_version(name, "s3://bucket/model")
    first = client.search_registered_models(f"name LIKE '{prefix}-%'", max_results=2)
    assert [m.name for m in first] == names[:2]
    assert first.token
    rest = client.search_registered_models(
        f"name LIKE '{prefix}-%'", max_results=2, page_token=first.token
    )
    assert [m.name for m in rest] == names[2:]
    desc = client.search_registered_models(f"name LIKE '{prefix}-%'", order_by=["name DESC"])
    assert [m.name for m in desc] == names[::-1]
    versions = client.search_model_versions(f"name = '{names[1]}'")
    assert [(v.name, str(v.version)) for v in versions] == [(names[1], "1")]
    fluent = mlflow.search_registered_models(filter_string=f"name = '{names[0]}'")
    assert [m.name for m in fluent] == [names[0]]


def test_bad_input_gives_mlflow_error_codes_and_changes_nothing(mlflow: ModuleType) -> None:
    client = mlflow.MlflowClient()
    name = _name("bad")
    client.create_registered_model(name)
    client.create_model_version(name, "s3://bucket/model")
    invalid, missing = "INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST"
    assert _code(mlflow, lambda: client.create_registered_model(name)) == "RESOURCE_ALREADY_EXISTS"
    assert _code(mlflow, lambda: client.get_model_version(name, "9")) == missing
    assert (
        _code(mlflow, lambda: client.transition_model_version_stage(name, "1", "bogus")) == invalid
    )
    assert _code(mlflow, lambda: client.set_registered_model_alias(name, "latest", "1")) == invalid
    assert _code(mlflow, lambda: client.set_registered_model_alias(name, "v3", "1")) == invalid
    assert _code(mlflow, lambda: client.get_model_version_by_alias(name, "nope")) == invalid
    assert _code(mlflow, lambda: client.search_registered_models("bogus = 1")) == invalid
    for source in ("/etc/passwd", "s3://bucket/../other"):
        assert _code(mlflow, lambda s=source: client.create_model_version(name, s)) == invalid
    model = client.get_registered_model(name)
    assert model.aliases == {}
    assert [v.current_stage for v in model.latest_versions] == ["None"]
    assert len(client.search_model_versions(f"name = '{name}'")) == 1


def test_register_model_and_copy(mlflow: ModuleType) -> None:
    name = _name("reg")
    with mlflow.start_run() as run:
        mlflow.log_text("x", "model/file.txt")
    version = mlflow.register_model(f"{run.info.artifact_uri}/model", name)
    assert str(version.version) == "1"
    client = mlflow.MlflowClient()
    copied = client.copy_model_version(f"models:/{name}/1", _name("copy"))
    assert copied.source == f"models:/{name}/1"
