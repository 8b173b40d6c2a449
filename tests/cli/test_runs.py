"""`mltrail runs ...` against a real SQLite tracking store."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import Result

from mltrail.entities import LifecycleStage
from mltrail.tracking import MlflowClient

Invoke = Callable[..., Result]


def test_list_shows_runs_newest_first_by_view(mltrail: Invoke, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("exp")
    old = client.create_run(experiment_id, start_time=1_600_000_000_000, run_name="old")
    new = client.create_run(experiment_id, start_time=1_700_000_000_000, run_name="new")
    gone = client.create_run(experiment_id, start_time=1_650_000_000_000, run_name="gone")
    client.delete_run(gone.info.run_id)
    lines = mltrail("runs", "list", "--experiment-id", experiment_id).output.splitlines()
    assert lines[0].split() == ["Date", "Name", "ID"]
    assert lines[2:] == [
        f"2023-11-14 22:13:20 UTC  new   {new.info.run_id}",
        f"2020-09-13 12:26:40 UTC  old   {old.info.run_id}",
    ]
    deleted = mltrail("runs", "list", "--experiment-id", experiment_id, "-v", "deleted_only")
    assert [line.split()[-1] for line in deleted.output.splitlines()[2:]] == [gone.info.run_id]
    everything = mltrail("runs", "list", "--experiment-id", experiment_id, "--view", "all")
    assert len(everything.output.splitlines()) == 5


def test_list_requires_an_experiment(mltrail: Invoke) -> None:
    result = mltrail("runs", "list", ok=False)
    assert result.exit_code == 2
    assert "--experiment-id" in result.output


def test_describe_prints_mlflow_shaped_json(mltrail: Invoke, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("exp")
    run = client.create_run(experiment_id, run_name="r", tags={"t": "v"})
    run_id = run.info.run_id
    client.log_metric(run_id, "m", 0.5, step=2, synchronous=True)
    client.log_param(run_id, "p", "1", synchronous=True)
    client.set_terminated(run_id)
    result = mltrail("runs", "describe", "--run-id", run_id)
    assert result.output.startswith('{\n    "info": {\n')  # 4-space indent, like MLflow
    document = json.loads(result.output)
    assert document["info"]["run_id"] == run_id
    assert document["info"]["run_name"] == "r"
    assert document["info"]["status"] == "FINISHED"
    assert document["info"]["lifecycle_stage"] == "active"
    assert document["info"]["artifact_uri"] == run.info.artifact_uri
    assert document["data"]["metrics"] == {"m": 0.5}
    assert document["data"]["params"] == {"p": "1"}
    assert document["data"]["tags"]["t"] == "v"
    assert document["inputs"] == {"model_inputs": [], "dataset_inputs": []}
    assert document["outputs"] == {"model_outputs": []}


def test_describe_unknown_run_is_a_clean_error(mltrail: Invoke) -> None:
    result = mltrail("runs", "describe", "--run-id", "nope", ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "nope" in result.output


def test_delete_and_restore(mltrail: Invoke, client: MlflowClient) -> None:
    run_id = client.create_run("0").info.run_id
    assert mltrail("runs", "delete", "--run-id", run_id).output == (
        f"Run with ID {run_id} has been deleted.\n"
    )
    assert client.get_run(run_id).info.lifecycle_stage == LifecycleStage.DELETED
    assert mltrail("runs", "restore", "--run-id", run_id).output == (
        f"Run with id {run_id} has been restored.\n"
    )
    assert client.get_run(run_id).info.lifecycle_stage == LifecycleStage.ACTIVE


def test_delete_unknown_run_is_a_clean_error(mltrail: Invoke) -> None:
    assert mltrail("runs", "delete", "--run-id", "nope", ok=False).exit_code == 1


def test_create_records_an_ended_run(mltrail: Invoke, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("exp")
    parent = client.create_run(experiment_id).info.run_id
    result = mltrail(
        "runs", "create", "--experiment-name", "exp", "--run-name", "scripted",
        "-t", "env=prod", "--tags", "k=a=b", "--status", "failed",
        "--description", "notes", "--parent-run-id", parent,
    )  # fmt: skip
    document = json.loads(result.output)
    assert document["experiment_id"] == experiment_id
    assert document["status"] == "FAILED"
    assert document["run_name"] == "scripted"
    run = client.get_run(document["run_id"])
    assert run.info.status == "FAILED"
    assert run.info.end_time is not None
    assert run.data.tags["env"] == "prod"
    assert run.data.tags["k"] == "a=b"
    assert run.data.tags["mlflow.note.content"] == "notes"
    assert run.data.tags["mlflow.parentRunId"] == parent


def test_create_errors_leave_no_run(mltrail: Invoke, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("exp")
    assert "exactly one" in mltrail("runs", "create", ok=False).output
    bad_tag = mltrail("runs", "create", "--experiment-id", experiment_id, "-t", "novalue", ok=False)
    assert "'novalue' is not KEY=VALUE" in bad_tag.output
    no_parent = mltrail(
        "runs", "create", "--experiment-id", experiment_id, "--parent-run-id", "nope", ok=False
    )
    assert no_parent.exit_code == 1
    no_experiment = mltrail("runs", "create", "--experiment-name", "missing", ok=False)
    assert "No experiment named 'missing'" in no_experiment.output
    assert list(client.search_runs(experiment_id, run_view_type=3)) == []
