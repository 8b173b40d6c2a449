"""`mltrail artifacts ...` against a real SQLite tracking store and local artifacts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mltrail.tracking import MlflowClient

Invoke = Callable[..., Result]


@pytest.fixture
def run_id(client: MlflowClient, tmp_path: Path) -> str:
    experiment_id = client.create_experiment("exp", artifact_location=str(tmp_path / "store"))
    return client.create_run(experiment_id).info.run_id


@pytest.fixture
def local_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "local"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("alpha")
    (folder / "sub" / "b.txt").write_text("beta!")
    return folder


def test_log_artifact_then_list(mltrail: Invoke, run_id: str, local_dir: Path) -> None:
    file = str(local_dir / "a.txt")
    out = mltrail("artifacts", "log-artifact", "-l", file, "-r", run_id, "-a", "docs").output
    assert out == f"Logged artifact from local file {file} to artifact_path=docs\n"
    assert json.loads(mltrail("artifacts", "list", "-r", run_id).output) == [
        {"path": "docs", "is_dir": True}
    ]
    listed = json.loads(mltrail("artifacts", "list", "-r", run_id, "-a", "docs").output)
    assert listed == [{"path": "docs/a.txt", "is_dir": False, "file_size": 5}]


def test_log_artifacts_then_download_by_run(
    mltrail: Invoke, run_id: str, local_dir: Path, tmp_path: Path
) -> None:
    mltrail("artifacts", "log-artifacts", "-l", str(local_dir), "-r", run_id, "-a", "model")
    dst = tmp_path / "dst"
    out = mltrail("artifacts", "download", "-r", run_id, "-a", "model/sub", "-d", str(dst))
    assert Path(out.output.strip()) == dst / "model" / "sub"
    assert (dst / "model" / "sub" / "b.txt").read_text() == "beta!"
    everything = Path(mltrail("artifacts", "download", "-r", run_id).output.strip())
    assert (everything / "model" / "a.txt").read_text() == "alpha"


def test_download_by_artifact_uri(
    mltrail: Invoke, run_id: str, local_dir: Path, client: MlflowClient, tmp_path: Path
) -> None:
    mltrail("artifacts", "log-artifacts", "-l", str(local_dir), "-r", run_id)
    by_runs_uri = mltrail("artifacts", "download", "-u", f"runs:/{run_id}/sub", "-d", "a")
    assert Path(by_runs_uri.output.strip(), "b.txt").read_text() == "beta!"
    artifact_uri = client.get_run(run_id).info.artifact_uri
    file_uri = Path(artifact_uri).as_uri() + "/sub/b.txt"
    by_file_uri = mltrail("artifacts", "download", "-u", file_uri, "-d", str(tmp_path / "b"))
    assert Path(by_file_uri.output.strip()).read_text() == "beta!"
    by_path = mltrail("artifacts", "download", "-u", f"{artifact_uri}/a.txt")
    assert Path(by_path.output.strip()).read_text() == "alpha"


def test_download_by_model_uri(
    mltrail: Invoke, run_id: str, local_dir: Path, client: MlflowClient, tmp_path: Path
) -> None:
    mltrail("artifacts", "log-artifacts", "-l", str(local_dir), "-r", run_id, "-a", "model")
    client.create_registered_model("churn")
    client.create_model_version("churn", f"runs:/{run_id}/model", run_id)
    client.set_registered_model_alias("churn", "champion", "1")
    for uri in ("models:/churn/1", "models:/churn@champion", "models:/churn/latest"):
        folder = Path(mltrail("artifacts", "download", "-u", uri).output.strip())
        assert (folder / "sub" / "b.txt").read_text() == "beta!", uri
    missing = mltrail("artifacts", "download", "-u", "models:/churn/7", ok=False)
    assert "churn" in missing.output

    experiment_id = client.get_run(run_id).info.experiment_id
    logged = client.create_logged_model(experiment_id, name="scorer", source_run_id=run_id)
    Path(logged.artifact_location, "MLmodel").parent.mkdir(parents=True, exist_ok=True)
    Path(logged.artifact_location, "MLmodel").write_text("flavors: {}\n")
    folder = mltrail("artifacts", "download", "-u", f"models:/{logged.model_id}").output.strip()
    assert Path(folder, "MLmodel").read_text() == "flavors: {}\n"


def test_download_argument_errors(mltrail: Invoke, run_id: str) -> None:
    neither = mltrail("artifacts", "download", ok=False)
    assert "Give exactly one of --run-id and --artifact-uri" in neither.output
    both = mltrail("artifacts", "download", "-r", run_id, "-u", "runs:/x/y", ok=False)
    assert both.exit_code == 2
    mixed = mltrail("artifacts", "download", "-u", "runs:/x/y", "-a", "z", ok=False)
    assert "--artifact-path goes with --run-id" in mixed.output


def test_download_missing_artifact_is_a_clean_error(mltrail: Invoke, run_id: str) -> None:
    result = mltrail("artifacts", "download", "-r", run_id, "-a", "nothing.txt", ok=False)
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_traversal_is_refused(
    mltrail: Invoke, run_id: str, local_dir: Path, tmp_path: Path
) -> None:
    file = str(local_dir / "a.txt")
    escaped = mltrail(
        "artifacts", "log-artifact", "-l", file, "-r", run_id, "-a", "../..", ok=False
    )
    assert "'..' segment" in escaped.output
    encoded = mltrail("artifacts", "list", "-r", run_id, "-a", "%2e%2e/%2e%2e", ok=False)
    assert "'..' segment" in encoded.output
    assert not (tmp_path / "a.txt").exists()


def test_unknown_run_and_missing_local_file(mltrail: Invoke, local_dir: Path) -> None:
    unknown = mltrail("artifacts", "list", "-r", "nope", ok=False)
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: ")
    missing = mltrail("artifacts", "log-artifact", "-l", str(local_dir / "zz"), "-r", "x", ok=False)
    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    not_a_dir = mltrail(
        "artifacts", "log-artifacts", "-l", str(local_dir / "a.txt"), "-r", "x", ok=False
    )
    assert "is a file" in not_a_dir.output
