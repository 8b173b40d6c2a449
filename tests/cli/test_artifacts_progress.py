"""Progress bars of `mltrail artifacts log-artifact(s)|download`: on stderr, only when asked
(or on a terminal), same files and same printed paths as without them; over S3 too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mltrail.cli.main import cli
from mltrail.testing.artifact_contract import read_tree, write_tree
from mltrail.tracking import MlflowClient
from tests.s3_server import moto_s3, s3_env

__all__ = ["moto_s3", "s3_env"]  # fixtures, imported for pytest

MiB = 1024 * 1024
FILES = {"a.txt": b"alpha", "sub/b.bin": os.urandom(300_000), "sub/deeper/c.txt": b"c"}


def run(tracking_uri: str, *args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), env={"MLFLOW_TRACKING_URI": tracking_uri})
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


@pytest.fixture
def tracking_uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mltrail.db'}"


def new_run(tracking_uri: str, location: str) -> str:
    client = MlflowClient(tracking_uri=tracking_uri)
    experiment = client.create_experiment("progress", artifact_location=location)
    return client.create_run(experiment).info.run_id


def total_of(files: dict[str, bytes]) -> int:
    return sum(len(v) for v in files.values())


def test_log_artifacts_and_download_with_progress(tracking_uri: str, tmp_path: Path) -> None:
    run_id = new_run(tracking_uri, str(tmp_path / "store"))
    local = write_tree(tmp_path / "src", FILES)
    up = run(
        tracking_uri,
        "artifacts",
        "log-artifacts",
        "-l",
        str(local),
        "-r",
        run_id,
        "-a",
        "model",
        "--progress",
    )
    assert up.stdout == f"Logged artifact from local dir {local} to artifact_path=model\n"
    assert "Uploading 100%" in up.stderr
    assert "293.0 KiB/293.0 KiB" in up.stderr  # the whole tree's size
    down = run(
        tracking_uri,
        "artifacts",
        "download",
        "-r",
        run_id,
        "-a",
        "model/sub",
        "-d",
        str(tmp_path / "out"),
        "--progress",
    )
    assert Path(down.stdout.strip()) == tmp_path / "out" / "model" / "sub"
    assert read_tree(tmp_path / "out" / "model" / "sub") == {
        "b.bin": FILES["sub/b.bin"],
        "deeper/c.txt": b"c",
    }
    assert "Downloading 100%" in down.stderr


def test_no_bar_unless_asked_or_on_a_terminal(tracking_uri: str, tmp_path: Path) -> None:
    run_id = new_run(tracking_uri, str(tmp_path / "store"))
    local = write_tree(tmp_path / "src", FILES)
    quiet = run(tracking_uri, "artifacts", "log-artifacts", "-l", str(local), "-r", run_id)
    assert quiet.stderr == ""
    out = run(tracking_uri, "artifacts", "download", "-r", run_id, "-d", str(tmp_path / "o"))
    assert out.stderr == ""
    assert read_tree(Path(out.stdout.strip())) == FILES


def test_download_of_one_file_and_of_a_runs_uri(tracking_uri: str, tmp_path: Path) -> None:
    run_id = new_run(tracking_uri, str(tmp_path / "store"))
    run(
        tracking_uri,
        "artifacts",
        "log-artifacts",
        "-l",
        str(write_tree(tmp_path / "s", FILES)),
        "-r",
        run_id,
    )
    one = run(
        tracking_uri,
        "artifacts",
        "download",
        "-r",
        run_id,
        "-a",
        "sub/b.bin",
        "-d",
        str(tmp_path / "one"),
        "--progress",
    )
    assert Path(one.stdout.strip()).read_bytes() == FILES["sub/b.bin"]
    uri = run(
        tracking_uri,
        "artifacts",
        "download",
        "-u",
        f"runs:/{run_id}/sub/deeper",
        "-d",
        str(tmp_path / "two"),
        "--progress",
    )
    assert read_tree(Path(uri.stdout.strip())) == {"c.txt": b"c"}
    missing = CliRunner().invoke(
        cli,
        ["artifacts", "download", "-r", run_id, "-a", "nope", "--progress"],
        env={"MLFLOW_TRACKING_URI": tracking_uri},
    )
    assert missing.exit_code != 0


def test_progress_over_s3(tracking_uri: str, s3_env: str, tmp_path: Path) -> None:
    run_id = new_run(tracking_uri, f"s3://{s3_env}/team")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 * MiB))
    up = run(tracking_uri, "artifacts", "log-artifact", "-l", str(big), "-r", run_id, "--progress")
    assert "Uploading 100% 12.0 MiB/12.0 MiB" in up.stderr
    down = run(
        tracking_uri,
        "artifacts",
        "download",
        "-u",
        f"s3://{s3_env}/team/{run_id}/artifacts/big.bin",
        "-d",
        str(tmp_path / "out"),
        "--progress",
    )
    assert Path(down.stdout.strip()).read_bytes() == big.read_bytes()
    assert "Downloading 100% 12.0 MiB/12.0 MiB" in down.stderr
