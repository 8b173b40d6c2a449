"""Fluent run lifecycle on the embedded SQLite store: statuses, nesting, resuming, the
experiment a run goes to, per-thread active runs."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

import mltrail as mlflow
from mltrail.errors import MltrailError
from mltrail.store.tracking.base import TrackingStore

ROOT = Path(__file__).resolve().parents[2]


def test_context_manager_finishes_the_run(reader: TrackingStore) -> None:
    with mlflow.start_run(run_name="ok") as run:
        assert mlflow.active_run() is run
        assert run.info.status == "RUNNING"
    stored = reader.get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.info.end_time is not None
    assert stored.info.run_name == "ok"
    assert mlflow.active_run() is None


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_an_escaping_exception_fails_the_run(
    reader: TrackingStore, error: type[BaseException]
) -> None:
    # MLflow marks the run FAILED for any exception, KeyboardInterrupt included.
    with pytest.raises(error), mlflow.start_run() as run:
        raise error()
    assert reader.get_run(run.info.run_id).info.status == "FAILED"
    assert mlflow.active_run() is None


def test_end_run_with_status_and_last_active_run(reader: TrackingStore) -> None:
    run = mlflow.start_run()
    mlflow.end_run("KILLED")
    assert reader.get_run(run.info.run_id).info.status == "KILLED"
    last = mlflow.last_active_run()
    assert last is not None
    assert last.info.run_id == run.info.run_id
    assert last.info.status == "KILLED"
    mlflow.end_run()  # nothing active: a no-op


def test_end_run_rejects_an_unknown_status() -> None:
    mlflow.start_run()
    with pytest.raises(MltrailError, match="BOGUS") as raised:
        mlflow.end_run("BOGUS")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert mlflow.active_run() is not None


def test_ending_inside_the_block_leaves_nothing_for_exit(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        mlflow.end_run("KILLED")
        assert mlflow.active_run() is None
    assert reader.get_run(run.info.run_id).info.status == "KILLED"


def test_nested_runs_record_their_parent(reader: TrackingStore) -> None:
    with mlflow.start_run() as parent:
        with mlflow.start_run(nested=True) as child:
            assert mlflow.active_run() is child
        assert mlflow.active_run() is parent
    child_run = reader.get_run(child.info.run_id)
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    found = mlflow.get_parent_run(child.info.run_id)
    assert found is not None
    assert found.info.run_id == parent.info.run_id
    assert mlflow.get_parent_run(parent.info.run_id) is None


def test_parent_run_id_without_an_active_run(reader: TrackingStore) -> None:
    with mlflow.start_run() as parent:
        pass
    with mlflow.start_run(parent_run_id=parent.info.run_id) as child:
        pass
    assert reader.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == (parent.info.run_id)


def test_parent_run_id_must_exist() -> None:
    with pytest.raises(MltrailError) as raised:
        mlflow.start_run(parent_run_id="f" * 32)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_second_run_without_nested_raises() -> None:
    with mlflow.start_run() as run:
        with pytest.raises(Exception, match=f"Run with UUID {run.info.run_id} is already active"):
            mlflow.start_run()
        with pytest.raises(Exception, match="does not match the specified parent_run_id"):
            mlflow.start_run(nested=True, parent_run_id="a" * 32)
        assert mlflow.active_run() is run


def test_exiting_an_outer_block_ends_runs_left_open_inside(reader: TrackingStore) -> None:
    with mlflow.start_run() as outer:
        inner = mlflow.start_run(nested=True)
    assert mlflow.active_run() is None
    assert reader.get_run(inner.info.run_id).info.status == "FINISHED"
    assert reader.get_run(outer.info.run_id).info.status == "FINISHED"


def test_resume_by_run_id_sets_running_and_adds_tags(reader: TrackingStore) -> None:
    with mlflow.start_run() as first:
        mlflow.log_metric("m", 1.0)
    with mlflow.start_run(run_id=first.info.run_id, tags={"resumed": "yes"}) as again:
        assert again.info.run_id == first.info.run_id
        assert again.info.status == "RUNNING"
        assert again.data.tags["resumed"] == "yes"
        assert reader.get_run(first.info.run_id).info.status == "RUNNING"
    stored = reader.get_run(first.info.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.data.metrics == {"m": 1.0}


def test_resuming_a_deleted_run_raises() -> None:
    with mlflow.start_run() as run:
        pass
    mlflow.delete_run(run.info.run_id)
    with pytest.raises(MltrailError, match="deleted state"):
        mlflow.start_run(run_id=run.info.run_id)
    mlflow.restore_run(run.info.run_id)
    with mlflow.start_run(run_id=run.info.run_id):
        pass


def test_mlflow_run_id_env_resumes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with mlflow.start_run() as run:
        pass
    monkeypatch.setenv("MLFLOW_RUN_ID", run.info.run_id)
    with mlflow.start_run() as resumed:
        assert resumed.info.run_id == run.info.run_id
    with mlflow.start_run() as fresh:
        assert fresh.info.run_id != run.info.run_id


def test_description_and_default_tags(reader: TrackingStore) -> None:
    with mlflow.start_run(description="first try", tags={"team": "vision", "n": 3}) as run:
        pass
    tags = reader.get_run(run.info.run_id).data.tags
    assert tags["mlflow.note.content"] == "first try"
    assert tags["team"] == "vision"
    assert tags["n"] == "3"
    assert tags["mlflow.user"]
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.runName"] == reader.get_run(run.info.run_id).info.run_name
    assert reader.get_run(run.info.run_id).info.user_id == tags["mlflow.user"]


def test_set_experiment_creates_and_activates(reader: TrackingStore) -> None:
    experiment = mlflow.set_experiment("vision")
    assert experiment.name == "vision"
    assert mlflow.set_experiment("vision").experiment_id == experiment.experiment_id
    with mlflow.start_run() as run:
        pass
    assert run.info.experiment_id == experiment.experiment_id
    assert mlflow.set_experiment(experiment_id=experiment.experiment_id).name == "vision"
    assert reader.get_experiment_by_name("vision") is not None


def test_set_experiment_errors() -> None:
    with pytest.raises(MltrailError, match="exactly one of") as raised:
        mlflow.set_experiment()
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MltrailError) as missing:
        mlflow.set_experiment(experiment_id="424242")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    experiment_id = mlflow.create_experiment("gone")
    mlflow.delete_experiment(experiment_id)
    with pytest.raises(MltrailError, match="Cannot set a deleted experiment 'gone'"):
        mlflow.set_experiment("gone")


def test_experiment_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "from-env")
    with mlflow.start_run() as run:
        pass
    experiment = mlflow.get_experiment_by_name("from-env")
    assert experiment is not None
    assert run.info.experiment_id == experiment.experiment_id
    other = mlflow.create_experiment("by-id")
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME")
    monkeypatch.setenv("MLTRAIL_EXPERIMENT_ID", other)
    with mlflow.start_run() as run:
        pass
    assert run.info.experiment_id == other
    with mlflow.start_run(experiment_id="0") as run:
        pass
    assert run.info.experiment_id == "0"


def test_default_experiment_without_settings() -> None:
    with mlflow.start_run() as run:
        pass
    assert run.info.experiment_id == "0"


def test_active_run_is_per_thread(reader: TrackingStore) -> None:
    seen: list[object] = []
    child_runs: list[str] = []

    def worker() -> None:
        seen.append(mlflow.active_run())
        mlflow.log_metric("thread_metric", 1.0)  # starts this thread's own run
        active = mlflow.active_run()
        assert active is not None
        child_runs.append(active.info.run_id)
        mlflow.end_run()

    with mlflow.start_run() as run:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert mlflow.active_run() is run
    assert seen == [None]
    assert child_runs
    assert child_runs[0] != run.info.run_id
    assert reader.get_run(child_runs[0]).data.metrics == {"thread_metric": 1.0}
    assert reader.get_run(run.info.run_id).data.metrics == {}


def test_logging_without_a_run_starts_one(reader: TrackingStore) -> None:
    mlflow.log_param("p", 1)
    active = mlflow.active_run()
    assert active is not None
    assert reader.get_run(active.info.run_id).data.params == {"p": "1"}


def test_a_run_left_open_ends_finished_at_exit(tmp_path: Path, reader: TrackingStore) -> None:
    script = (
        "import mltrail as mlflow\n"
        "run = mlflow.start_run()\n"
        "mlflow.log_metric('m', 2.0)\n"
        "print(run.info.run_id)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=_child_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    stored = reader.get_run(result.stdout.strip())
    assert stored.info.status == "FINISHED"
    assert stored.data.metrics == {"m": 2.0}


def test_system_metrics_are_logged_when_asked(reader: TrackingStore) -> None:
    with mlflow.start_run(log_system_metrics=True) as run:
        pass
    names = set(reader.get_run(run.info.run_id).data.metrics)
    assert "system/cpu_utilization_percentage" in names


def _child_env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env
