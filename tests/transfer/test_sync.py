"""Offline-first logging: runs logged to the local offline store are uploaded by
`mltrail sync --to SERVER` (a real mltrail server subprocess), once, and `--status` says what
is still pending."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import mltrail
from mltrail.cli.main import cli
from mltrail.entities import ViewType
from mltrail.tracking import MlflowClient
from mltrail.tracking.spool import offline_tracking_uri
from mltrail.transfer.artifacts import open_repository
from tests.compat.conftest import LiveServer, start_server, stop_server

pytestmark = pytest.mark.slow
POINTS = 2500


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("sync-server"))
    yield live
    stop_server(live)


@pytest.fixture(autouse=True)
def _offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MLTRAIL_SPOOL_DIR", str(tmp_path / "spool"))
    mltrail.set_tracking_uri(offline_tracking_uri())
    yield
    from mltrail.tracking import _client_registry, _stores

    _stores.clear()
    _client_registry.clear_registry_stores()


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def log_offline(tmp_path: Path, experiment: str) -> tuple[str, str]:
    mltrail.set_experiment(experiment)
    with mltrail.start_run(run_name="train") as parent:
        mltrail.log_params({"lr": 0.1, "depth": 4})
        for step in range(POINTS):
            mltrail.log_metric("loss", 1 / (step + 1), step=step)
        mltrail.set_tag("stage", "offline")
        frame = pd.DataFrame({"x": [1.0, 2.0]})
        mltrail.log_input(mltrail.data.from_pandas(frame, name="train"), context="training")
        mltrail.log_text("hello", "notes/readme.txt")
        with mltrail.start_run(run_name="child", nested=True):
            mltrail.log_metric("acc", 0.9)
    return parent.info.run_id, experiment


def by_name(client: MlflowClient, experiment: str) -> dict[str, mltrail.entities.Run]:
    found = client.get_experiment_by_name(experiment)
    assert found is not None
    runs = client.search_runs([found.experiment_id], run_view_type=ViewType.ALL)
    return {r.info.run_name: r for r in runs}


def test_sync_uploads_offline_runs_once(server: LiveServer, tmp_path: Path) -> None:
    local_id, experiment = log_offline(tmp_path, "offline-a")
    status = invoke("sync", "--status")
    assert "Runs not yet synced: 2" in status.stdout
    assert local_id in status.stdout

    first = invoke("sync", "--to", server.url)
    assert "runs: copied 2, skipped 0" in first.stdout
    # 2500 points + params + tags of the parent in 3 log-batch calls, the child's in 1.
    assert f"{POINTS + 1} metric points" in first.stdout
    assert "in 4 batches" in first.stdout
    assert "Runs not yet synced: 0" in invoke("sync", "--status", "--to", server.url).stdout

    remote = MlflowClient(server.url)
    local = MlflowClient(offline_tracking_uri())
    theirs, ours = by_name(remote, experiment), by_name(local, experiment)
    assert set(theirs) == {"train", "child"}
    for name in ("train", "child"):
        r, o = theirs[name], ours[name]
        assert (r.info.status, r.info.start_time, r.info.end_time, r.info.user_id) == (
            o.info.status,
            o.info.start_time,
            o.info.end_time,
            o.info.user_id,
        )
        assert r.data.params == o.data.params
        assert r.data.metrics == o.data.metrics
        tags = dict(o.data.tags)
        if "mlflow.parentRunId" in tags:  # the server gave the parent its own id
            tags["mlflow.parentRunId"] = theirs["train"].info.run_id
        assert r.data.tags == tags
        assert r.inputs.dataset_inputs == o.inputs.dataset_inputs
    train = theirs["train"].info.run_id
    assert remote.get_metric_history(train, "loss") == local.get_metric_history(local_id, "loss")
    files = open_repository(theirs["train"].info.artifact_uri, server.url)
    assert b"".join(files.read_stream("notes/readme.txt")) == b"hello"

    again = invoke("sync", "--to", server.url)
    assert "runs: copied 0, skipped 2" in again.stdout
    assert len(by_name(remote, experiment)) == 2


def test_a_running_run_stays_pending_and_sends_what_it_logs_later(
    server: LiveServer, tmp_path: Path
) -> None:
    mltrail.set_experiment("offline-b")
    run = mltrail.start_run(run_name="long")
    mltrail.log_metric("loss", 1.0, step=0)
    mltrail.flush_async_logging()
    assert "runs: copied 1" in invoke("sync", "--to", server.url).stdout
    assert "RUNNING" in invoke("sync", "--status", "--to", server.url).stdout

    mltrail.log_metric("loss", 0.5, step=1)
    mltrail.end_run()
    assert "runs: copied 1" in invoke("sync", "--to", server.url).stdout
    assert "Runs not yet synced: 0" in invoke("sync", "--status", "--to", server.url).stdout
    remote = by_name(MlflowClient(server.url), "offline-b")["long"]
    assert remote.info.status == "FINISHED"
    history = MlflowClient(server.url).get_metric_history(remote.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 1.0), (1, 0.5)]
    assert run.info.run_id != remote.info.run_id  # the server assigns its own ids
