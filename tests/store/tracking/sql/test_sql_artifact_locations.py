"""Where the SQL store puts artifacts of new experiments, runs and logged models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mltrail.store.tracking.sql import SqlTrackingStore
from mltrail.store.tracking.sql.experiments import join_location


def test_default_root_is_mlartifacts_in_the_working_directory(sqlite_uri: str) -> None:
    with SqlTrackingStore(sqlite_uri) as store:
        exp_id = store.create_experiment("e")
        location = store.get_experiment(exp_id).artifact_location
    assert location == os.path.join(os.getcwd(), "mlartifacts", exp_id)


def test_relative_roots_and_locations_become_absolute(sqlite_uri: str, tmp_path: Path) -> None:
    with SqlTrackingStore(sqlite_uri, artifact_root="rel/root") as store:
        default = store.get_experiment(store.create_experiment("a")).artifact_location
        given = store.get_experiment(store.create_experiment("b", "elsewhere")).artifact_location
    assert default == str(tmp_path / "rel" / "root" / "1")  # tests run in tmp_path
    assert given == str(tmp_path / "elsewhere")


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("s3://bucket/root", "s3://bucket/root/1"),
        ("s3://bucket/root/", "s3://bucket/root/1"),
        ("mlflow-artifacts:/", "mlflow-artifacts:/1"),
        ("file:///srv/art", "file:///srv/art/1"),
    ],
)
def test_uri_roots_are_joined_with_slashes(sqlite_uri: str, root: str, expected: str) -> None:
    with SqlTrackingStore(sqlite_uri, artifact_root=root) as store:
        exp_id = store.create_experiment("e")
        run = store.create_run(exp_id, "u", 0, [], None)
        model = store.create_logged_model(exp_id)
        assert store.get_experiment(exp_id).artifact_location == expected
    assert run.info.artifact_uri == f"{expected}/{run.info.run_id}/artifacts"
    assert model.artifact_location == f"{expected}/models/{model.model_id}/artifacts"


def test_windows_drive_is_a_path_not_a_scheme() -> None:
    assert join_location("C:", "1") == os.path.join("C:", "1")
