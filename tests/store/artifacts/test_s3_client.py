"""Clients that write straight to S3: mltrail's own on an s3:// artifact root, and the official
`mlflow` client handed s3:// locations by an mltrail server that does not proxy artifacts."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import mltrail
from mltrail.testing.artifact_contract import read_tree, write_tree
from mltrail.tracking.client import MltrailClient
from tests.compat.conftest import LiveServer, stop_server
from tests.s3_server import MotoServer, moto_s3, s3_env, start_server_on_s3

__all__ = ["moto_s3", "s3_env"]  # fixtures, imported for pytest

MiB = 1024 * 1024


def keys(moto: MotoServer, bucket: str) -> list[str]:
    listed = moto.client().list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(o["Key"] for o in listed)


def test_client_logs_and_downloads_with_an_s3_artifact_root(
    moto_s3: MotoServer, s3_env: str, tmp_path: Path
) -> None:
    client = MltrailClient(f"sqlite:///{tmp_path / 'mltrail.db'}")
    exp = client.create_experiment("s3", artifact_location=f"s3://{s3_env}/team")
    run = client.create_run(exp)
    files = {"model/MLmodel": b"flavors: {}", "model/data/w.bin": os.urandom(6 * MiB)}
    client.log_artifacts(run.info.run_id, str(write_tree(tmp_path / "src", files)))
    client.log_text(run.info.run_id, "hello", "notes/readme.txt")
    assert run.info.artifact_uri == f"s3://{s3_env}/team/{run.info.run_id}/artifacts"
    assert keys(moto_s3, s3_env) == [
        f"team/{run.info.run_id}/artifacts/{p}"
        for p in ("model/MLmodel", "model/data/w.bin", "notes/readme.txt")
    ]
    assert [f.path for f in client.list_artifacts(run.info.run_id)] == ["model", "notes"]
    local = client.download_artifacts(run.info.run_id, "model", str(tmp_path / "out"))
    assert read_tree(Path(local)) == {
        "MLmodel": files["model/MLmodel"],
        "data/w.bin": files["model/data/w.bin"],
    }
    uri = f"{run.info.artifact_uri}/notes/readme.txt"
    assert mltrail.artifacts.load_text(uri) == "hello"


@pytest.fixture(scope="module")
def direct_server(
    tmp_path_factory: pytest.TempPathFactory, moto_s3: MotoServer
) -> Iterator[tuple[LiveServer, str]]:
    bucket = moto_s3.new_bucket()
    root = tmp_path_factory.mktemp("s3-direct")
    server = start_server_on_s3(
        root,
        moto_s3,
        "--backend-store-uri",
        f"sqlite:///{root / 'mltrail.db'}",
        "--default-artifact-root",
        f"s3://{bucket}/direct",
        "--no-serve-artifacts",
    )
    yield server, bucket
    stop_server(server)


@pytest.mark.compat
@pytest.mark.slow
def test_official_client_writes_straight_to_the_servers_s3_root(
    direct_server: tuple[LiveServer, str],
    moto_s3: MotoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, bucket = direct_server
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    for name, value in moto_s3.env().items():
        monkeypatch.setenv(name, value)
    import mlflow

    mlflow.set_tracking_uri(server.url)
    try:
        exp = mlflow.create_experiment("direct")
        with mlflow.start_run(experiment_id=exp) as run:
            mlflow.log_dict({"a": 1}, "config/params.json")
        artifact_uri = mlflow.get_run(run.info.run_id).info.artifact_uri
        ours = MltrailClient(server.url)
        downloaded = ours.download_artifacts(run.info.run_id, "config", str(tmp_path / "out"))
    finally:
        mlflow.set_tracking_uri(None)  # type: ignore[arg-type]
    assert artifact_uri == f"s3://{bucket}/direct/{exp}/{run.info.run_id}/artifacts"
    assert keys(moto_s3, bucket) == [f"direct/{exp}/{run.info.run_id}/artifacts/config/params.json"]
    assert json.loads(Path(downloaded, "params.json").read_text()) == {"a": 1}
