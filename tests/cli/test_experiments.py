"""`mltrail experiments ...` against a real SQLite tracking store."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from mltrail.entities import LifecycleStage
from mltrail.tracking import MlflowClient

Invoke = Callable[..., Result]


def test_create_prints_the_id_and_stores_the_location(
    mltrail: Invoke, client: MlflowClient, tmp_path: Path
) -> None:
    result = mltrail("experiments", "create", "-n", "exp", "-l", str(tmp_path / "art"))
    experiment = client.get_experiment_by_name("exp")
    assert experiment is not None
    assert result.output == f"Created experiment 'exp' with id {experiment.experiment_id}\n"
    assert experiment.artifact_location.endswith("art")


def test_create_duplicate_is_a_clean_error(mltrail: Invoke) -> None:
    mltrail("experiments", "create", "-n", "exp")
    result = mltrail("experiments", "create", "-n", "exp", ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "already exists" in result.output


def test_create_requires_a_name(mltrail: Invoke) -> None:
    result = mltrail("experiments", "create", ok=False)
    assert result.exit_code == 2
    assert "Missing option '-n' / '--experiment-name'" in result.output


def test_search_views_and_max_results(mltrail: Invoke, client: MlflowClient) -> None:
    keep = client.create_experiment("keep")
    gone = client.create_experiment("gone")
    client.delete_experiment(gone)
    active = mltrail("experiments", "search").output.splitlines()
    assert active[0].split() == ["Experiment", "Id", "Name", "Artifact", "Location"]
    assert active[1].startswith("---")
    names = {line.split()[1] for line in active[2:]}
    assert names == {"keep", "Default"}
    deleted = mltrail("experiments", "search", "--view", "deleted_only").output.splitlines()
    assert [line.split()[:2] for line in deleted[2:]] == [[gone, "gone"]]
    everything = mltrail("experiments", "search", "-v", "ALL").output.splitlines()[2:]
    assert {line.split()[1] for line in everything} == {"keep", "gone", "Default"}
    assert len(mltrail("experiments", "search", "--max-results", "1").output.splitlines()) == 3
    assert keep in mltrail("experiments", "search").output


def test_search_refuses_an_unknown_view(mltrail: Invoke) -> None:
    result = mltrail("experiments", "search", "--view", "bogus", ok=False)
    assert result.exit_code == 2
    assert "'bogus' is not one of 'active_only', 'deleted_only', 'all'" in result.output


def test_get_as_table_and_json(mltrail: Invoke, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("exp", tags={"team": "a", "x": "1"})
    table = mltrail("experiments", "get", "-x", experiment_id).output
    assert f"Experiment ID      : {experiment_id}\n" in table
    assert "Name               : exp\n" in table
    assert "Lifecycle Stage    : active\n" in table
    assert "Tags               : team=a, x=1\n" in table
    document = json.loads(mltrail("experiments", "get", "-n", "exp", "--output", "json").output)
    assert document["experiment_id"] == experiment_id
    assert document["name"] == "exp"
    assert document["tags"] == {"team": "a", "x": "1"}
    assert document["lifecycle_stage"] == "active"
    assert isinstance(document["creation_time"], int)


def test_get_errors(mltrail: Invoke) -> None:
    assert "Give exactly one of" in mltrail("experiments", "get", ok=False).output
    assert (
        "No experiment named 'nope'" in mltrail("experiments", "get", "-n", "nope", ok=False).output
    )
    missing = mltrail("experiments", "get", "-x", "12345", ok=False)
    assert missing.exit_code == 1
    assert "12345" in missing.output


def test_rename_delete_restore(mltrail: Invoke, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("old")
    out = mltrail("experiments", "rename", "-x", experiment_id, "--new-name", "new").output
    assert out == f"Experiment with id {experiment_id} has been renamed to 'new'.\n"
    assert client.get_experiment(experiment_id).name == "new"
    out = mltrail("experiments", "delete", "-x", experiment_id).output
    assert out == f"Experiment with ID {experiment_id} has been deleted.\n"
    assert client.get_experiment(experiment_id).lifecycle_stage == LifecycleStage.DELETED
    out = mltrail("experiments", "restore", "-x", experiment_id).output
    assert out == f"Experiment with id {experiment_id} has been restored.\n"
    assert client.get_experiment(experiment_id).lifecycle_stage == LifecycleStage.ACTIVE


def test_delete_unknown_experiment_is_a_clean_error(mltrail: Invoke) -> None:
    result = mltrail("experiments", "delete", "-x", "999", ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")


def test_rename_to_a_taken_name_changes_nothing(mltrail: Invoke, client: MlflowClient) -> None:
    first = client.create_experiment("first")
    client.create_experiment("second")
    mltrail("experiments", "rename", "-x", first, "--new-name", "second", ok=False)
    assert client.get_experiment(first).name == "first"


def test_csv_has_one_row_per_run_and_a_column_per_field(
    mltrail: Invoke, client: MlflowClient, tmp_path: Path
) -> None:
    experiment_id = client.create_experiment("exp")
    first = client.create_run(experiment_id, run_name="first").info.run_id
    client.log_metric(first, "loss", 0.25, synchronous=True)
    client.log_param(first, "lr", "0.1", synchronous=True)
    second = client.create_run(experiment_id, run_name="second", tags={"team": "a"}).info.run_id
    client.set_terminated(second)
    mltrail("experiments", "csv", "-x", experiment_id, "-o", str(tmp_path / "runs.csv"))
    rows = list(csv.DictReader((tmp_path / "runs.csv").open()))
    by_id = {row["run_id"]: row for row in rows}
    assert set(by_id) == {first, second}
    header = next(csv.reader((tmp_path / "runs.csv").open()))
    assert header[:6] == [
        "run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"
    ]  # fmt: skip
    assert {"metrics.loss", "params.lr", "tags.team", "tags.mlflow.runName"} <= set(header)
    assert by_id[first]["metrics.loss"] == "0.25"
    assert by_id[first]["params.lr"] == "0.1"
    assert by_id[first]["status"] == "RUNNING"
    assert by_id[first]["end_time"] == ""
    assert by_id[second]["tags.team"] == "a"
    assert by_id[second]["metrics.loss"] == ""
    assert by_id[second]["status"] == "FINISHED"
    assert by_id[second]["start_time"].endswith("+00:00")


def test_csv_to_stdout(mltrail: Invoke, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("exp")
    run_id = client.create_run(experiment_id).info.run_id
    rows = list(
        csv.DictReader(io.StringIO(mltrail("experiments", "csv", "-x", experiment_id).output))
    )
    assert [row["run_id"] for row in rows] == [run_id]


def test_csv_of_unknown_experiment_is_a_clean_error(mltrail: Invoke, tmp_path: Path) -> None:
    result = mltrail("experiments", "csv", "-x", "404", "-o", str(tmp_path / "x.csv"), ok=False)
    assert result.exit_code == 1
    assert not (tmp_path / "x.csv").exists()
