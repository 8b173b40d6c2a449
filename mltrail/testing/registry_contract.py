"""Behaviour every model registry store must show, as a pytest class backends subclass.

Subclasses provide a `registry` fixture (SQL store, REST store against a server...). Tests
create uniquely named models and never assume an empty store, so one store may serve a class.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from mltrail.entities.registry import ModelVersionTag, RegisteredModelTag
from mltrail.errors import MltrailError
from mltrail.testing.tracking_contract import EXISTS, INVALID, MISSING, fails

SOURCE = "s3://bucket/models/m"


def unique(prefix: str = "model") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class RegistryStoreContract:
    def new_model(self, registry: Any, versions: int = 0, **kwargs: Any) -> str:
        name = unique()
        registry.create_registered_model(name, **kwargs)
        for _ in range(versions):
            registry.create_model_version(name, SOURCE)
        return name

    # --- registered models ------------------------------------------------------------------

    def test_create_and_get(self, registry: Any) -> None:
        name = unique()
        created = registry.create_registered_model(
            name, [RegisteredModelTag("team", "a")], "the description"
        )
        got = registry.get_registered_model(name)
        assert created == got
        assert (got.name, got.description, got.tags) == (name, "the description", {"team": "a"})
        assert got.creation_timestamp == got.last_updated_timestamp > 0
        assert got.latest_versions == []
        assert got.aliases == {}

    def test_duplicate_name_is_refused(self, registry: Any) -> None:
        name = self.new_model(registry, description="first")
        with fails(EXISTS, r"already exists"):
            registry.create_registered_model(name, description="second")
        assert registry.get_registered_model(name).description == "first"

    def test_missing_model(self, registry: Any) -> None:
        with fails(MISSING, r"not found"):
            registry.get_registered_model(unique())
        with fails(MISSING):
            registry.delete_registered_model(unique())
        with fails(MISSING):
            registry.create_model_version(unique(), SOURCE)

    def test_empty_name_is_refused(self, registry: Any) -> None:
        with fails(INVALID):
            registry.create_registered_model("")

    def test_update_description(self, registry: Any) -> None:
        name = self.new_model(registry)
        updated = registry.update_registered_model(name, "new words")
        assert updated.description == registry.get_registered_model(name).description == "new words"

    def test_rename_carries_versions_tags_and_aliases(self, registry: Any) -> None:
        name = self.new_model(registry, versions=2)
        registry.set_registered_model_tag(name, RegisteredModelTag("k", "v"))
        registry.set_model_version_tag(name, "1", ModelVersionTag("vk", "vv"))
        registry.set_registered_model_alias(name, "champion", "2")
        new = unique("renamed")
        renamed = registry.rename_registered_model(name, new)
        assert renamed.name == new
        assert renamed.aliases == {"champion": "2"}
        with fails(MISSING):
            registry.get_registered_model(name)
        assert registry.get_model_version(new, "1").tags == {"vk": "vv"}
        assert registry.get_model_version_by_alias(new, "champion").version == "2"
        assert registry.get_registered_model(new).tags == {"k": "v"}
        assert registry.create_model_version(new, SOURCE).version == "3"

    def test_rename_onto_existing_name_is_refused(self, registry: Any) -> None:
        first, second = self.new_model(registry, versions=1), self.new_model(registry)
        with fails(EXISTS):
            registry.rename_registered_model(first, second)
        assert registry.get_model_version(first, "1").name == first

    def test_delete_removes_versions(self, registry: Any) -> None:
        name = self.new_model(registry, versions=2)
        registry.delete_registered_model(name)
        with fails(MISSING):
            registry.get_model_version(name, "1")
        registry.create_registered_model(name)
        assert registry.create_model_version(name, SOURCE).version == "1"

    def test_model_tags(self, registry: Any) -> None:
        name = self.new_model(registry)
        registry.set_registered_model_tag(name, RegisteredModelTag("a", "1"))
        registry.set_registered_model_tag(name, RegisteredModelTag("a", "2"))
        registry.set_registered_model_tag(name, RegisteredModelTag("b", "x"))
        registry.delete_registered_model_tag(name, "b")
        registry.delete_registered_model_tag(name, "never-set")  # no error, as in MLflow
        assert registry.get_registered_model(name).tags == {"a": "2"}
        with fails(INVALID):
            registry.set_registered_model_tag(name, RegisteredModelTag("k" * 251, "v"))
        with fails(MISSING):
            registry.set_registered_model_tag(unique(), RegisteredModelTag("a", "1"))

    # --- versions ---------------------------------------------------------------------------

    def test_versions_are_sequential_strings(self, registry: Any) -> None:
        name = self.new_model(registry)
        first = registry.create_model_version(
            name, SOURCE, "r" * 32, [ModelVersionTag("t", "1")], "http://link", "desc"
        )
        assert (first.version, first.status, first.current_stage) == ("1", "READY", "None")
        assert (first.source, first.run_id, first.run_link) == (SOURCE, "r" * 32, "http://link")
        assert (first.description, first.tags) == ("desc", {"t": "1"})
        assert registry.create_model_version(name, SOURCE).version == "2"
        registry.delete_model_version(name, "2")
        assert registry.create_model_version(name, SOURCE).version == "3"  # never reused
        assert registry.get_model_version(name, "1") == first

    def test_missing_version(self, registry: Any) -> None:
        name = self.new_model(registry, versions=1)
        with fails(MISSING, r"version=9"):
            registry.get_model_version(name, "9")
        with fails(INVALID):
            registry.get_model_version(name, "abc")
        with fails(MISSING):
            registry.delete_model_version(name, "9")

    def test_update_version_description(self, registry: Any) -> None:
        name = self.new_model(registry, versions=1)
        assert registry.update_model_version(name, "1", "better").description == "better"
        assert registry.get_model_version(name, "1").description == "better"

    def test_version_tags(self, registry: Any) -> None:
        name = self.new_model(registry, versions=1)
        registry.set_model_version_tag(name, "1", ModelVersionTag("a", "1"))
        registry.set_model_version_tag(name, "1", ModelVersionTag("b", "2"))
        registry.delete_model_version_tag(name, "1", "a")
        assert registry.get_model_version(name, "1").tags == {"b": "2"}
        with fails(MISSING):
            registry.set_model_version_tag(name, "5", ModelVersionTag("a", "1"))

    # --- stages -----------------------------------------------------------------------------

    def test_transition_archives_existing_versions(self, registry: Any) -> None:
        name = self.new_model(registry, versions=3)
        assert registry.transition_model_version_stage(name, "1", "production").current_stage == (
            "Production"
        )
        registry.transition_model_version_stage(name, "2", "STAGING")
        moved = registry.transition_model_version_stage(name, "3", "Production", True)
        assert moved.current_stage == "Production"
        stages = {v: registry.get_model_version(name, v).current_stage for v in "123"}
        assert stages == {"1": "Archived", "2": "Staging", "3": "Production"}

    def test_bad_stage_is_refused_and_nothing_changes(self, registry: Any) -> None:
        name = self.new_model(registry, versions=2)
        registry.transition_model_version_stage(name, "1", "Production")
        with fails(INVALID, r"Invalid Model Version stage"):
            registry.transition_model_version_stage(name, "2", "Prod")
        with fails(INVALID, r"archive"):
            registry.transition_model_version_stage(name, "2", "Archived", True)
        stages = [registry.get_model_version(name, v).current_stage for v in "12"]
        assert stages == ["Production", "None"]

    def test_latest_versions(self, registry: Any) -> None:
        name = self.new_model(registry, versions=4)
        registry.transition_model_version_stage(name, "1", "Production")
        registry.transition_model_version_stage(name, "2", "Production")
        registry.transition_model_version_stage(name, "3", "Staging")
        latest = registry.get_latest_versions(name)  # no stages asked: every stage
        assert sorted((v.current_stage, v.version) for v in latest) == [
            ("None", "4"),
            ("Production", "2"),
            ("Staging", "3"),
        ]
        asked = registry.get_latest_versions(name, ["Production", "staging"])
        assert sorted(v.version for v in asked) == ["2", "3"]
        assert [v.version for v in registry.get_latest_versions(name, ["none"])] == ["4"]
        on_model = registry.get_registered_model(name).latest_versions
        assert sorted(v.version for v in on_model) == ["2", "3", "4"]
        with fails(INVALID):
            registry.get_latest_versions(name, ["bogus"])

    # --- aliases ----------------------------------------------------------------------------

    def test_aliases(self, registry: Any) -> None:
        name = self.new_model(registry, versions=2)
        registry.set_registered_model_alias(name, "champion", "1")
        registry.set_registered_model_alias(name, "also", "1")
        registry.set_registered_model_alias(name, "champion", "2")  # moves
        assert registry.get_model_version_by_alias(name, "champion").version == "2"
        assert registry.get_model_version(name, "1").aliases == ["also"]
        assert registry.get_registered_model(name).aliases == {"also": "1", "champion": "2"}
        registry.delete_registered_model_alias(name, "also")
        with fails(INVALID, r"alias also not found"):
            registry.get_model_version_by_alias(name, "also")

    @pytest.mark.parametrize("alias", ["latest", "LATEST", "v1", "V12", "bad alias", "a" * 256])
    def test_bad_aliases_are_refused(self, registry: Any, alias: str) -> None:
        name = self.new_model(registry, versions=1)
        with fails(INVALID):
            registry.set_registered_model_alias(name, alias, "1")
        assert registry.get_registered_model(name).aliases == {}

    def test_alias_to_missing_version_is_refused(self, registry: Any) -> None:
        name = self.new_model(registry, versions=1)
        with fails(MISSING):
            registry.set_registered_model_alias(name, "champion", "7")

    def test_deleting_a_version_drops_its_aliases(self, registry: Any) -> None:
        name = self.new_model(registry, versions=2)
        registry.set_registered_model_alias(name, "champion", "1")
        registry.set_registered_model_alias(name, "other", "2")
        registry.delete_model_version(name, "1")
        assert registry.get_registered_model(name).aliases == {"other": "2"}

    # --- sources ----------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "source",
        [
            "/etc/passwd",
            "file:///etc",
            "s3://bucket/a/../../b",
            "models:/x/%2e%2e/1",
            "mlflow-artifacts:/0/..%2F..%2Fsecret",
            "relative/path",
            "../outside",
            "file:///tmp/../etc/passwd",
            "file://localhost/etc/passwd",
            "FILE:///etc/passwd",
            "s3://bucket/models/%252e%252e/x",  # encoded twice
            "s3://bucket/models/..\\..\\x",
            "gs://bucket/a/.%2E/b",
            "runs:/0123456789abcdef/../../x",
            "mlflow-artifacts:/0/.%2e/x",
            "models:/x/1/../../2",
            "https://example.com/a/..%5c..%5cb",
        ],
    )
    def test_unsafe_sources_are_refused(self, registry: Any, source: str) -> None:
        name = self.new_model(registry)
        with fails(INVALID, r"source"):
            registry.create_model_version(name, source)
        assert registry.search_model_versions(f"name = '{name}'") == []

    def test_models_uri_and_copy(self, registry: Any) -> None:
        name = self.new_model(registry, versions=1)
        registry.set_model_version_tag(name, "1", ModelVersionTag("t", "1"))
        source = registry.get_model_version(name, "1")
        target = unique("copy")
        copied = registry.copy_model_version(source, target)
        assert (copied.name, copied.version, copied.source) == (target, "1", f"models:/{name}/1")
        assert copied.tags == {"t": "1"}
        assert registry.get_model_version_download_uri(target, "1") == SOURCE
        again = registry.copy_model_version(source, target)
        assert again.version == "2"

    # --- search -----------------------------------------------------------------------------

    def test_search_models_filter_order_and_pages(self, registry: Any) -> None:
        prefix = unique("search")
        names = [f"{prefix}-{i}" for i in range(5)]
        for name in names:
            registry.create_registered_model(name, [RegisteredModelTag("group", prefix)])
        like = f"name LIKE '{prefix}-%'"
        first = registry.search_registered_models(like, max_results=2)
        assert [m.name for m in first] == names[:2]
        assert first.token
        rest = registry.search_registered_models(like, max_results=10, page_token=first.token)
        assert [m.name for m in rest] == names[2:]
        assert rest.token is None
        newest = registry.search_registered_models(like, order_by=["name DESC"])
        assert [m.name for m in newest] == names[::-1]
        tagged = registry.search_registered_models(f"tags.group = '{prefix}'")
        assert len(tagged) == 5
        assert registry.search_registered_models(f"name = '{names[3]}'")[0].name == names[3]
        with fails(INVALID):
            registry.search_registered_models("bogus = 1")
        with fails(INVALID):
            registry.search_registered_models(max_results=1001)

    def test_search_hides_prompts(self, registry: Any) -> None:
        prompt = self.new_model(
            registry, tags=[RegisteredModelTag("mlflow.prompt.is_prompt", "true")]
        )
        assert registry.search_registered_models(f"name = '{prompt}'") == []
        asked = f"name = '{prompt}' AND tags.`mlflow.prompt.is_prompt` = 'true'"
        assert [m.name for m in registry.search_registered_models(asked)] == [prompt]

    def test_search_versions(self, registry: Any) -> None:
        name = self.new_model(registry)
        for run in ("a" * 32, "b" * 32, "a" * 32):
            registry.create_model_version(name, SOURCE, run)
        found = registry.search_model_versions(f"name = '{name}'")
        assert [v.version for v in found] == ["3", "2", "1"]
        by_run = registry.search_model_versions(f"name = '{name}' AND run_id = '{'a' * 32}'")
        assert [v.version for v in by_run] == ["3", "1"]
        ascending = registry.search_model_versions(
            f"name = '{name}' AND version_number >= 2", order_by=["version_number ASC"]
        )
        assert [v.version for v in ascending] == ["2", "3"]
        page = registry.search_model_versions(f"name = '{name}'", max_results=2)
        assert len(page) == 2
        assert page.token
        registry.set_model_version_tag(name, "2", ModelVersionTag("env", "prod"))
        tagged = registry.search_model_versions(f"name = '{name}' AND tags.env = 'prod'")
        assert [v.version for v in tagged] == ["2"]

    def test_search_versions_default_order_is_last_updated_first(self, registry: Any) -> None:
        name = self.new_model(registry, versions=3)
        newest = registry.get_model_version(name, "3").last_updated_timestamp
        deadline = time.monotonic() + 10
        # Update version 1 until its time passes version 3's (both may fall in one millisecond).
        while registry.update_model_version(name, "1", "x").last_updated_timestamp <= newest:
            assert time.monotonic() < deadline
        found = registry.search_model_versions(f"name = '{name}'")
        assert [v.version for v in found] == ["1", "3", "2"]

    def test_errors_carry_mlflow_codes(self, registry: Any) -> None:
        with pytest.raises(MltrailError) as caught:
            registry.get_model_version(unique(), "1")
        assert caught.value.error_code == MISSING
        assert caught.value.get_http_status_code() == 404
