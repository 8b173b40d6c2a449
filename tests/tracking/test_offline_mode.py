"""MLTRAIL_OFFLINE=1: the fluent API logs to the local offline store, even when the
environment names a server, and `mltrail sync` finds the runs there."""

from __future__ import annotations

from pathlib import Path

import pytest

import mltrail
from mltrail.store.uri import tracking_store_for
from mltrail.tracking.spool import offline_tracking_uri


def test_offline_mode_logs_locally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLTRAIL_OFFLINE", "1")
    monkeypatch.setenv("MLTRAIL_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")  # nothing listens there
    assert mltrail.get_tracking_uri() == offline_tracking_uri()
    with mltrail.start_run() as run:
        mltrail.log_param("lr", 0.1)
        mltrail.log_metric("loss", 0.5, step=1)
    store = tracking_store_for(offline_tracking_uri())
    logged = store.get_run(run.info.run_id)
    assert logged.data.params == {"lr": "0.1"}
    assert logged.data.metrics == {"loss": 0.5}
    store.close()
    monkeypatch.setenv("MLTRAIL_OFFLINE", "0")
    assert mltrail.get_tracking_uri() == "http://127.0.0.1:9"
