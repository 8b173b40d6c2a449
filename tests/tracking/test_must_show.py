"""The issue's must-show script: plain MLflow tracking code, run unchanged in a child process
with ``import mltrail as mlflow``, then read back through a separate client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mltrail import MlflowClient

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import mltrail as mlflow

mlflow.set_experiment("quickstart")

with mlflow.start_run(run_name="baseline"):
    mlflow.log_param("learning_rate", 0.01)
    for epoch in range(10):
        loss = 1.0 / (epoch + 1)
        mlflow.log_metric("train_loss", loss, step=epoch)
    mlflow.log_artifact("confusion_matrix.png")
    mlflow.log_artifacts("models/")
    mlflow.set_tag("dataset_version", "v2.1")

with mlflow.start_run(run_name="hp-search"):
    for lr in [0.1, 0.01, 0.001]:
        with mlflow.start_run(nested=True):
            mlflow.log_param("lr", lr)
            mlflow.log_metric("val_loss", lr * 10)

runs = mlflow.search_runs()
print(runs[["run_id", "params.learning_rate", "metrics.train_loss"]])
print("RUNS", len(runs))
"""

pytestmark = pytest.mark.slow


def test_must_show_script_runs_unchanged_and_stores_what_it_says(tmp_path: Path) -> None:
    (tmp_path / "confusion_matrix.png").write_bytes(b"\x89PNG fake image")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "model.pkl").write_bytes(b"weights")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "RUNS 5" in result.stdout

    client = MlflowClient(f"sqlite:///{tmp_path / 'mltrail.db'}")
    experiment = client.get_experiment_by_name("quickstart")
    assert experiment is not None
    runs = {r.info.run_name: r for r in client.search_runs([experiment.experiment_id])}
    baseline = runs["baseline"]
    assert baseline.info.status == "FINISHED"
    assert baseline.data.params == {"learning_rate": "0.01"}
    assert baseline.data.tags["dataset_version"] == "v2.1"
    history = client.get_metric_history(baseline.info.run_id, "train_loss")
    assert [(m.step, m.value) for m in history] == [(e, 1.0 / (e + 1)) for e in range(10)]
    artifacts = {f.path for f in client.list_artifacts(baseline.info.run_id)}
    assert artifacts == {"confusion_matrix.png", "model.pkl"}
    copied = client.download_artifacts(baseline.info.run_id, "model.pkl", str(tmp_path / "dl"))
    assert Path(copied).read_bytes() == b"weights"

    search = runs["hp-search"]
    children = [r for r in runs.values() if r.data.tags.get("mlflow.parentRunId")]
    assert {r.data.tags["mlflow.parentRunId"] for r in children} == {search.info.run_id}
    assert sorted(float(r.data.params["lr"]) for r in children) == [0.001, 0.01, 0.1]
    assert all(r.info.status == "FINISHED" for r in runs.values())
