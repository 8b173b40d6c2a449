"""`MlflowClient` on the embedded SQLite store: experiments, runs, data, paging, URIs."""

from __future__ import annotations

from pathlib import Path

import pytest

import mltrail
from mltrail import MlflowClient
from mltrail.entities import Metric, Param, RunTag, ViewType
from mltrail.errors import MltrailError
from mltrail.store.tracking.base import TrackingStore


def test_client_is_importable_from_mlflow_paths() -> None:
    from mltrail.client import MlflowClient as from_client
    from mltrail.tracking import MlflowClient as from_tracking

    assert from_client is from_tracking is MlflowClient is mltrail.MltrailClient


def test_tracking_uri_precedence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_file_uri: str
) -> None:
    assert not mltrail.is_tracking_uri_set()
    assert MlflowClient().tracking_uri == db_file_uri == mltrail.get_tracking_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow_env.db'}")
    monkeypatch.setenv("MLTRAIL_TRACKING_URI", f"sqlite:///{tmp_path / 'mltrail_env.db'}")
    assert mltrail.is_tracking_uri_set()
    assert MlflowClient().tracking_uri.endswith("mltrail_env.db")
    mltrail.set_tracking_uri(f"sqlite:///{tmp_path / 'set.db'}")
    assert MlflowClient().tracking_uri.endswith("set.db")
    assert MlflowClient(f"sqlite:///{tmp_path / 'arg.db'}").tracking_uri.endswith("arg.db")
    assert mltrail.get_registry_uri().endswith("set.db")  # defaults to the tracking URI
    mltrail.set_registry_uri("sqlite:///registry.db")
    assert mltrail.get_registry_uri() == "sqlite:///registry.db"


def test_set_tracking_uri_is_exported_for_child_processes(tmp_path: Path) -> None:
    import os

    mltrail.set_tracking_uri(tmp_path / "store")
    assert os.environ["MLFLOW_TRACKING_URI"] == (tmp_path / "store").as_uri()
    with mltrail.start_run() as run:
        pass
    # A folder URI holds the embedded database inside it.
    assert (tmp_path / "store" / "mltrail.db").exists()
    assert MlflowClient().get_run(run.info.run_id).info.status == "FINISHED"


def test_relative_sqlite_uri_stays_put_when_the_cwd_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = MlflowClient("sqlite:///relative.db")
    experiment_id = client.create_experiment("here")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert client.get_experiment(experiment_id).name == "here"
    assert (tmp_path / "relative.db").exists()


def test_experiments(reader: TrackingStore) -> None:
    client = MlflowClient()
    experiment_id = client.create_experiment("exp", tags={"owner": "ana", "n": 1})
    experiment = client.get_experiment(experiment_id)
    assert experiment.name == "exp"
    assert experiment.tags == {"owner": "ana", "n": "1"}
    client.set_experiment_tag(experiment_id, "stage", "dev")
    client.delete_experiment_tag(experiment_id, "owner")
    client.rename_experiment(experiment_id, "renamed")
    stored = reader.get_experiment(experiment_id)
    assert stored.name == "renamed"
    assert stored.tags == {"n": "1", "stage": "dev"}
    assert client.get_experiment_by_name("exp") is None
    client.delete_experiment(experiment_id)
    assert reader.get_experiment(experiment_id).lifecycle_stage == "deleted"
    names = {e.name for e in client.search_experiments(view_type=ViewType.ALL)}
    assert names == {"Default", "renamed"}
    client.restore_experiment(experiment_id)
    assert {e.name for e in client.search_experiments()} == {"Default", "renamed"}
    with pytest.raises(MltrailError) as raised:
        client.create_experiment("renamed")
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_run_lifecycle(reader: TrackingStore) -> None:
    client = MlflowClient()
    run = client.create_run("0", start_time=1000, tags={"k": "v"}, run_name="named")
    assert run.info.user_id == "unknown"  # as MLflow: no mlflow.user tag given
    assert run.info.start_time == 1000
    assert run.info.run_name == "named"
    assert run.data.tags["k"] == "v"
    bob = client.create_run("0", tags={"mlflow.user": "bob"})
    assert bob.info.user_id == "bob"
    client.update_run(run.info.run_id, name="renamed")
    client.set_terminated(run.info.run_id, "FAILED", end_time=5000)
    stored = reader.get_run(run.info.run_id)
    assert (stored.info.run_name, stored.info.status, stored.info.end_time) == (
        "renamed",
        "FAILED",
        5000,
    )
    with pytest.raises(MltrailError, match="Valid run status strings"):
        client.set_terminated(run.info.run_id, "BOGUS")
    client.delete_run(run.info.run_id)
    assert reader.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    with pytest.raises(MltrailError, match="active"):
        client.log_metric(run.info.run_id, "m", 1.0)
    client.restore_run(run.info.run_id)
    client.log_metric(run.info.run_id, "m", 1.0)
    assert client.get_run(run.info.run_id).data.metrics == {"m": 1.0}


def test_get_run_of_unknown_id_raises_not_found() -> None:
    with pytest.raises(MltrailError) as raised:
        MlflowClient().get_run("0" * 32)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_data_methods(reader: TrackingStore) -> None:
    client = MlflowClient()
    run_id = client.create_run("0").info.run_id
    assert client.log_param(run_id, "p", 5) == 5
    client.log_metric(run_id, "m", 1.0, timestamp=10, step=1)
    client.log_metric(run_id, "m", 2.0, timestamp=20, step=2)
    client.set_tag(run_id, "t", 1)
    client.delete_tag(run_id, "t")
    history = client.get_metric_history(run_id, "m")
    assert [(m.step, m.value, m.timestamp) for m in history] == [(1, 1.0, 10), (2, 2.0, 20)]
    stored = reader.get_run(run_id)
    assert stored.data.params == {"p": "5"}
    assert "t" not in stored.data.tags
    with pytest.raises(MltrailError, match="Changing param values is not allowed"):
        client.log_param(run_id, "p", 6)


def test_log_batch_of_any_size(reader: TrackingStore) -> None:
    client = MlflowClient()
    run_id = client.create_run("0").info.run_id
    metrics = [Metric("loss", float(i), 1000 + i, i) for i in range(2500)]
    params = [Param(f"p{i}", str(i)) for i in range(150)]
    tags = [RunTag(f"t{i}", "v") for i in range(150)]
    client.log_batch(run_id, metrics=metrics, params=params, tags=tags)
    # Params make the call synchronous: everything is written when it returns.
    stored = reader.get_run(run_id)
    assert len(stored.data.params) == 150
    assert len([k for k in stored.data.tags if k.startswith("t")]) == 150
    assert len(reader.get_metric_history(run_id, "loss")) == 2500


def test_log_batch_rejects_bad_items_before_writing(reader: TrackingStore) -> None:
    client = MlflowClient()
    run_id = client.create_run("0").info.run_id
    with pytest.raises(MltrailError) as raised:
        client.log_batch(run_id, metrics=[Metric("ok", 1.0, 1), Metric("bad key!", 1.0, 1)])
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    client.get_run(run_id)
    assert reader.get_run(run_id).data.metrics == {}


def test_search_runs_pages_with_token() -> None:
    client = MlflowClient()
    run_ids = {client.create_run("0").info.run_id for _ in range(5)}
    first = client.search_runs(["0"], max_results=3)
    assert len(first) == 3
    assert first.token
    second = client.search_runs("0", max_results=3, page_token=first.token)
    assert len(second) == 2
    assert second.token is None
    assert {r.info.run_id for r in [*first, *second]} == run_ids
    client.set_tag(first[0].info.run_id, "pick", "me")
    found = client.search_runs(["0"], filter_string="tags.pick = 'me'")
    assert [r.info.run_id for r in found] == [first[0].info.run_id]


def test_get_parent_run() -> None:
    client = MlflowClient()
    parent = client.create_run("0")
    child = client.create_run("0", tags={"mlflow.parentRunId": parent.info.run_id})
    found = client.get_parent_run(child.info.run_id)
    assert found is not None
    assert found.info.run_id == parent.info.run_id
    assert client.get_parent_run(parent.info.run_id) is None


def test_clients_of_one_uri_share_queued_writes(tmp_path: Path) -> None:
    writer = MlflowClient()
    run_id = writer.create_run("0").info.run_id
    for step in range(50):
        writer.log_metric(run_id, "m", float(step), step=step)
    other = MlflowClient(f"sqlite:///{tmp_path / 'mltrail.db'}")
    assert len(other.get_metric_history(run_id, "m")) == 50
