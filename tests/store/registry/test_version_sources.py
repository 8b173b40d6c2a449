"""Local version sources: inside the store's artifact root or the run's artifact location only,
with symlinks and look-alike prefixes resolved before deciding."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.errors import MltrailError
from mltrail.store.registry.sql import SqlRegistryStore
from mltrail.store.tracking.sql import SqlTrackingStore


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "artifacts" / "models" / "m").mkdir(parents=True)
    return tmp_path / "artifacts"


@pytest.fixture
def store(sqlite_uri: str, root: Path) -> Iterator[SqlRegistryStore]:
    with SqlRegistryStore(sqlite_uri, artifact_root=str(root)) as s:
        s.create_registered_model("m")
        yield s


def refused(store: SqlRegistryStore, source: str, run_id: str | None = None) -> None:
    with pytest.raises(MltrailError, match="source") as caught:
        store.create_model_version("m", source, run_id)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    assert store.search_model_versions("name = 'm'") == []


def test_sources_inside_the_root_are_accepted(store: SqlRegistryStore, root: Path) -> None:
    inside = root / "models" / "m"
    assert store.create_model_version("m", str(inside)).source == str(inside)
    assert store.create_model_version("m", inside.as_uri()).version == "2"
    assert store.get_model_version_download_uri("m", "1") == str(inside)


def test_a_symlink_out_of_the_root_is_refused(
    store: SqlRegistryStore, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "secrets"
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    refused(store, str(root / "link"))
    refused(store, (root / "link").as_uri())


def test_a_look_alike_prefix_is_not_inside(store: SqlRegistryStore, tmp_path: Path) -> None:
    sibling = tmp_path / "artifacts-evil" / "m"
    sibling.mkdir(parents=True)
    refused(store, str(sibling))
    refused(store, sibling.as_uri())


def test_the_runs_artifact_location_is_allowed_and_only_for_that_run(
    sqlite_uri: str, root: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "team-artifacts"
    with SqlTrackingStore(sqlite_uri, artifact_root=str(root)) as tracking:
        experiment = tracking.create_experiment("e", artifact_location=str(elsewhere))
        run = tracking.create_run(experiment, "u", 0, [], "r")
        other = tracking.create_run("0", "u", 0, [], "other")
    with SqlRegistryStore(sqlite_uri, artifact_root=str(root)) as store:
        store.create_registered_model("m")
        source = f"{run.info.artifact_uri}/model"
        assert store.create_model_version("m", source, run.info.run_id).source == source
        with pytest.raises(MltrailError, match="source"):
            store.create_model_version("m", source, other.info.run_id)  # not that run's
        with pytest.raises(MltrailError, match="source"):
            store.create_model_version("m", source)  # no run named
        assert [v.version for v in store.search_model_versions("name = 'm'")] == ["1"]
