"""Running projects from local folders with --env-manager local: tags, parameters, the child's
logging into the same run, and the final status (FINISHED, FAILED, KILLED)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import mltrail.projects as projects
from mltrail.errors import InvalidParameter, MltrailError, NotFound
from mltrail.tracking import MlflowClient
from tests.projects.conftest import MakeProject, pid_alive, runs_of, wait_for

MLPROJECT = """
name: typed
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.1}
      epochs: {type: int, default: 3}
      label: {type: string, default: "two words"}
      data: path
      target: {type: uri, default: "s3://bucket/key"}
    command: "python train.py {alpha} {epochs} {label} {data} {target}"
  fail:
    command: "python -c 'import sys; sys.exit(3)'"
  hang:
    command: "python hang.py"
"""

TRAIN = """
import json, os, sys
import mltrail
with mltrail.start_run() as run:  # resumes MLFLOW_RUN_ID
    mltrail.log_metric("from_child", 1.5)
    env = {k: v for k, v in os.environ.items() if k.startswith(("MLFLOW_", "MLTRAIL_"))}
    out = {"argv": sys.argv[1:], "env": env, "run_id": run.info.run_id, "cwd": os.getcwd(),
           "executable": sys.executable}
    with open(os.environ["OUT_FILE"], "w") as f:
        json.dump(out, f)
"""

# Starts a grandchild in the same process group, reports both pids, then waits forever.
HANG = """
import os, subprocess, sys, time
child = subprocess.Popen(["sleep", "300"])
with open(os.environ["OUT_FILE"] + ".tmp", "w") as f:
    f.write(f"{os.getpid()} {child.pid}")
os.replace(os.environ["OUT_FILE"] + ".tmp", os.environ["OUT_FILE"])
time.sleep(300)
"""


@pytest.fixture
def project(make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OUT_FILE", str(tmp_path / "out.json"))
    (tmp_path / "data.csv").write_text("x\n1\n")
    return make_project({"MLproject": MLPROJECT, "train.py": TRAIN, "hang.py": HANG})


def _out(tmp_path: Path) -> dict[str, object]:
    return json.loads((tmp_path / "out.json").read_text())  # type: ignore[no-any-return]


def test_local_run_records_tags_params_and_child_logs_into_it(
    project: Path,
    client: MlflowClient,
    tracking_uri: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `python` is the interpreter running mltrail even when its venv is not on PATH.
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    submitted = projects.run(
        str(project),
        parameters={"alpha": 0.5, "epochs": 7, "data": "data.csv", "seed": "42"},
        env_manager="local",
        run_name="typed-run",
    )
    assert submitted.get_status() == "FINISHED"
    out = _out(tmp_path)
    assert out["argv"] == [
        "0.5", "7", "two words", str(tmp_path / "data.csv"), "s3://bucket/key", "--seed", "42",
    ]  # fmt: skip
    assert out["run_id"] == submitted.run_id
    assert out["cwd"] == str(project)
    assert out["executable"] == sys.executable
    env = out["env"]
    assert isinstance(env, dict)
    assert env["MLFLOW_TRACKING_URI"] == tracking_uri
    assert env["MLFLOW_EXPERIMENT_ID"] == "0"
    assert env["MLTRAIL_TRACKING_URI"] == tracking_uri
    run = client.get_run(submitted.run_id)
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "typed-run"
    assert run.data.params == {
        "alpha": "0.5",
        "epochs": "7",
        "label": "two words",
        "data": "data.csv",
        "target": "s3://bucket/key",
        "seed": "42",
    }
    tags = run.data.tags
    assert tags["mlflow.source.type"] == "PROJECT"
    assert tags["mlflow.source.name"] == str(project)
    assert tags["mlflow.project.entryPoint"] == "main"
    assert tags["mlflow.project.env"] == "local"
    assert tags["mlflow.project.backend"] == "local"
    assert "mlflow.user" in tags
    assert run.data.metrics == {"from_child": 1.5}
    assert len(runs_of(client)) == 1  # the child logged into the project's run


def test_failing_entry_point_ends_failed(project: Path, client: MlflowClient) -> None:
    with pytest.raises(projects.ExecutionError, match=r"Run \(ID '\w+'\) failed"):
        projects.run(str(project), entry_point="fail", env_manager="local")
    (run,) = runs_of(client)
    assert run.info.status == "FAILED"  # type: ignore[attr-defined]
    assert run.info.end_time is not None  # type: ignore[attr-defined]


def test_asynchronous_run_and_wait(project: Path, client: MlflowClient) -> None:
    submitted = projects.run(
        str(project), entry_point="fail", env_manager="local", synchronous=False
    )
    assert submitted.wait() is False
    assert submitted.get_status() == "FAILED"
    assert client.get_run(submitted.run_id).info.status == "FAILED"


def test_cancel_kills_the_process_group_and_ends_killed(
    project: Path, client: MlflowClient, tmp_path: Path
) -> None:
    submitted = projects.run(
        str(project), entry_point="hang", env_manager="local", synchronous=False
    )
    out = tmp_path / "out.json"
    wait_for(out.exists)
    pids = [int(p) for p in out.read_text().split()]
    assert submitted.get_status() == "RUNNING"
    assert client.get_run(submitted.run_id).info.status == "RUNNING"
    submitted.cancel()
    assert submitted.get_status() == "KILLED"
    assert client.get_run(submitted.run_id).info.status == "KILLED"
    assert not any(pid_alive(pid) for pid in pids), "an entry point process outlived cancel()"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"parameters": {"data": "data.csv", "epochs": "x"}}, InvalidParameter, "integer"),
        ({"parameters": {"data": "data.csv", "alpha": "1e"}}, InvalidParameter, "number"),
        ({"parameters": {"data": "data.csv", "target": "a/b"}}, InvalidParameter, "URI"),
        ({"parameters": {}}, InvalidParameter, "missing parameters: 'data'"),
        ({"entry_point": "nope"}, NotFound, "Could not find entry point 'nope'"),
        ({"env_manager": "pip", "parameters": {"data": "."}}, InvalidParameter, "--env-manager"),
        ({"backend": "kubernetes"}, InvalidParameter, "not supported"),
    ],
)
def test_bad_input_fails_before_any_run(
    project: Path,
    client: MlflowClient,
    tmp_path: Path,
    kwargs: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        projects.run(str(project), **kwargs)  # type: ignore[arg-type]
    assert runs_of(client) == []
    assert not (tmp_path / "out.json").exists()


def test_experiment_name_run_id_and_script_entry_points(
    make_project: MakeProject, client: MlflowClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUT_FILE", str(tmp_path / "out.json"))
    folder = make_project(
        {"train.py": TRAIN, "job.sh": 'echo "$@" > "$OUT_FILE.sh"\n'}, name="no_mlproject"
    )
    first = projects.run(
        str(folder), entry_point="train.py", parameters={"lr": 0.1}, experiment_name="new-exp"
    )
    experiment = client.get_experiment_by_name("new-exp")
    assert experiment is not None
    run = client.get_run(first.run_id)
    assert run.info.experiment_id == experiment.experiment_id
    assert _out(tmp_path)["argv"] == ["--lr", "0.1"]
    assert run.data.tags["mlflow.project.entryPoint"] == "train.py"

    created = client.create_run(experiment.experiment_id)
    again = projects.run(
        str(folder), entry_point="job.sh", parameters={"n": "a b"}, run_id=created.info.run_id
    )
    assert again.run_id == created.info.run_id
    assert (tmp_path / "out.json.sh").read_text() == "--n a b\n"
    resumed = client.get_run(created.info.run_id)
    assert resumed.info.status == "FINISHED"
    assert resumed.data.tags["mlflow.source.type"] == "PROJECT"
    assert resumed.data.params == {"n": "a b"}
    with pytest.raises(MltrailError, match="Specify only one"):
        projects.run(str(folder), entry_point="train.py", experiment_name="a", experiment_id="0")


@pytest.mark.slow
def test_cli_runs_a_project_and_exits_nonzero_on_failure(
    project: Path, client: MlflowClient, tmp_path: Path
) -> None:
    mltrail = str(Path(sys.executable).parent / "mltrail")
    ok = subprocess.run(
        [mltrail, "run", str(project), "-P", "data=data.csv", "-P", "epochs=2",
         "--env-manager", "local", "--experiment-name", "cli", "--run-name", "from-cli"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "succeeded" in ok.stderr
    experiment = client.get_experiment_by_name("cli")
    assert experiment is not None
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == "from-cli"
    assert run.data.params["epochs"] == "2"
    bad = subprocess.run(
        [mltrail, "run", str(project), "-P", "data=data.csv", "-P", "epochs=two"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "'epochs' must be an integer" in bad.stderr
    failed = subprocess.run(
        [mltrail, "run", str(project), "-e", "fail", "--env-manager", "local"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode == 1
    assert "failed" in failed.stderr
    statuses = sorted(r.info.status for r in client.search_runs(["0"]))
    assert statuses == ["FAILED"]  # the bad parameter created no run


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_cli_interrupt_cancels_the_run(
    project: Path, client: MlflowClient, tmp_path: Path, signum: int
) -> None:
    mltrail = str(Path(sys.executable).parent / "mltrail")
    launcher = subprocess.Popen(
        [mltrail, "run", str(project), "-e", "hang", "--env-manager", "local"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out = tmp_path / "out.json"
    try:
        wait_for(lambda: out.exists() or launcher.poll() is not None)
        assert launcher.poll() is None, launcher.communicate()
        pids = [int(p) for p in out.read_text().split()]
        os.kill(launcher.pid, signum)  # Ctrl-C sends SIGINT to the foreground command
        _, stderr = launcher.communicate(timeout=60)
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert launcher.returncode == 128 + signum, stderr
    (run,) = client.search_runs(["0"])
    assert run.info.status == "KILLED"
    assert not any(pid_alive(pid) for pid in pids)


def test_run_id_with_conflicting_params_ends_failed_not_running(
    project: Path, client: MlflowClient
) -> None:
    existing = client.create_run("0")
    client.log_param(existing.info.run_id, "data", "other.csv")
    with pytest.raises(MltrailError):
        projects.run(
            str(project),
            parameters={"data": "data.csv"},
            env_manager="local",
            run_id=existing.info.run_id,
        )
    assert client.get_run(existing.info.run_id).info.status == "FAILED"
