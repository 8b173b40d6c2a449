"""`models serve|predict --env-manager uv|virtualenv`: the model's own environment is built
(with this mltrail installed from a wheel of the running code), cached, and reused.

These build real environments (uv from its cache, virtualenv + pip from the package index), so
they are few and marked slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import mltrail
from mltrail.envs.venvs import COMPLETE_MARKER
from tests.compat.conftest import LiveServer, free_port, stop_server, wait_until_healthy

# pip resolves every package against the index: minutes on a loaded machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
PING_DEADLINE_S = 300.0  # building the environment comes first; the machine may be loaded


@pytest.fixture(scope="module")
def env_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-envs")


def cli_env(env_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    return env | {"MLTRAIL_ENV_ROOT": str(env_root), "OMP_NUM_THREADS": "1"}


def mltrail_cli(env_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "mltrail.cli.main", *args]
    return subprocess.run(
        argv, env=cli_env(env_root), capture_output=True, text=True, timeout=280, check=False
    )


def test_serve_with_uv_then_the_environment_is_reused(
    sklearn_model: Path, env_root: Path, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    argv = [sys.executable, "-m", "mltrail.cli.main", "models", "serve", "-m", str(sklearn_model)]
    argv += ["--env-manager", "uv", "-h", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv,
            env=cli_env(env_root),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", tmp_path, process)
    try:
        wait_until_healthy(server.url, server.process, log, PING_DEADLINE_S)
        body = {"dataframe_split": {"columns": ["a", "b"], "data": [[0.0, 1.0], [3.0, 0.0]]}}
        answer = httpx.post(f"{server.url}/invocations", json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"predictions": [0, 1]}
        bad = httpx.post(
            f"{server.url}/invocations",
            content=b"{",
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        assert bad.status_code == 400
        assert bad.json()["error_code"] == "BAD_REQUEST"
    finally:
        stop_server(server)

    envs = [p for p in env_root.iterdir() if p.name.startswith("uv-") and p.is_dir()]
    assert len(envs) == 1
    env = envs[0]
    # The environment has the model's requirements and this checkout's mltrail (editable).
    probe = "import mltrail, sklearn, sys; print(mltrail.__file__, sys.prefix)"
    found = subprocess.run(
        [str(env / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == [str(Path(mltrail.__file__).resolve()), str(env)]
    marker = env / COMPLETE_MARKER
    built = (marker.stat().st_ino, marker.stat().st_mtime_ns, marker.read_text())

    again = mltrail_cli(
        env_root, "models", "prepare-env", "-m", str(sklearn_model), "--env-manager", "uv"
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"Reusing the uv environment {env}"
    assert (marker.stat().st_ino, marker.stat().st_mtime_ns, marker.read_text()) == built
    assert [p for p in env_root.iterdir() if p.name.startswith("uv-") and p.is_dir()] == [env]


def test_predict_with_virtualenv(params_model: Path, env_root: Path, tmp_path: Path) -> None:
    # The PythonModel's requirements name mltrail itself: it is swapped for this mltrail.
    assert "mltrail==" in (params_model / "requirements.txt").read_text()
    source = tmp_path / "in.json"
    source.write_text(
        json.dumps(
            {
                "dataframe_split": {"columns": ["x"], "data": [[1.0], [3.0]]},
                "params": {"factor": 3.0},
            }
        )
    )
    out = tmp_path / "out.json"
    args = ["models", "predict", "-m", str(params_model), "-i", str(source), "-o", str(out)]
    result = mltrail_cli(env_root, *args, "--env-manager", "virtualenv")
    assert result.returncode == 0, result.stdout + result.stderr
    predictions = json.loads(out.read_text())["predictions"]
    assert [row["x"] for row in predictions] == [3.0, 9.0]
    envs = [p for p in env_root.iterdir() if p.name.startswith("virtualenv-") and p.is_dir()]
    assert len(envs) == 1
    assert (envs[0] / COMPLETE_MARKER).is_file()
    assert (envs[0] / "bin" / "pip").exists()  # built by virtualenv + pip, not uv
