"""A real S3-compatible server for tests: moto's standalone server as a subprocess on 127.0.0.1.

`moto_s3` (session scope) starts one server; `s3_env` points boto3 and mltrail at it through
the environment (dummy credentials, ``MLFLOW_S3_ENDPOINT_URL``) and gives each test a fresh
bucket. Import the fixtures into a test module: ``from tests.s3_server import moto_s3, s3_env``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.compat.conftest import LiveServer, free_port, stop_server, wait_until_healthy

STARTUP_DEADLINE_S = 60.0
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class MotoServer:
    url: str
    process: subprocess.Popen[bytes]

    def env(self) -> dict[str, str]:
        """Variables that send mltrail's (and MLflow's) S3 traffic to this server."""
        return {**CREDENTIALS, "MLFLOW_S3_ENDPOINT_URL": self.url}

    def client(self) -> Any:
        """A plain boto3 client on this server, to check what really landed in S3."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(s3={"addressing_style": "path"}),
        )

    def new_bucket(self) -> str:
        name = f"mlt-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name


def start_moto(log: Path) -> MotoServer:
    port = free_port()
    program = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    command = [program or "moto_server", "-H", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = MotoServer(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited early:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{server.url}/moto-api/", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    stop_moto(server)
    raise RuntimeError(f"moto_server not up after {STARTUP_DEADLINE_S}s:\n{log.read_text()}")


def stop_moto(server: MotoServer) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)


def start_server_on_s3(
    root: Path, moto: MotoServer, *args: str, env: dict[str, str] | None = None
) -> LiveServer:
    """`mltrail server ARGS` on a free port with the S3 variables pointing at `moto`.

    Unlike the compat launcher it keeps ``MLFLOW_S3_*`` in the server's environment, which is
    how a deployment configures the S3 endpoint.
    """
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [sys.executable, "-m", "mltrail.cli.server", "--host", "127.0.0.1"]
    command += ["--port", str(port), *args]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    full_env = {**clean, "OMP_NUM_THREADS": "1", **moto.env(), **(env or {})}
    log = root / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", root, process)
    try:
        wait_until_healthy(server.url, process, log)
    except BaseException:
        stop_server(server)
        raise
    return server


_shared: list[MotoServer] = []


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> MotoServer:
    """One moto server for the whole test session.

    Each test module imports this fixture, which makes it a separate fixture per module to
    pytest; the server behind it is started once (tests use their own buckets) and stopped
    when the session's process exits.
    """
    if not _shared or _shared[0].process.poll() is not None:
        server = start_moto(tmp_path_factory.mktemp("moto") / "moto.log")
        atexit.register(stop_moto, server)
        _shared[:] = [server]
    return _shared[0]


@pytest.fixture
def s3_env(moto_s3: MotoServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """Environment pointed at the moto server; returns a new, empty bucket's name."""
    for name, value in moto_s3.env().items():
        monkeypatch.setenv(name, value)
    return moto_s3.new_bucket()
