"""A client given a server URI uses that server for proxied artifacts too, even when the
environment names no tracking URI (MLflow's client behaves the same)."""

from __future__ import annotations

import os
from pathlib import Path

from mltrail.tracking.client import MltrailClient
from tests.compat.conftest import LiveServer


def test_proxied_artifacts_follow_the_clients_server(
    live_server: LiveServer, tmp_path: Path
) -> None:
    assert "MLFLOW_TRACKING_URI" not in os.environ
    client = MltrailClient(live_server.url)
    run_id = client.create_run(client.create_experiment("explicit-server")).info.run_id
    assert client.get_run(run_id).info.artifact_uri.startswith("mlflow-artifacts:")
    client.log_text(run_id, "hello", "notes/hello.txt")
    assert [f.path for f in client.list_artifacts(run_id, "notes")] == ["notes/hello.txt"]
    local = client.download_artifacts(run_id, "notes/hello.txt", str(tmp_path))
    assert Path(local).read_text() == "hello"
