"""A live mltrail server for the official `mlflow` client, and a clean client per test.

The server runs as a real subprocess (uvicorn on 127.0.0.1, a free port, a SQLite store and
proxied artifacts in a temp dir); tests drive it with the installed `mlflow` package.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import httpx
import pytest

STARTUP_DEADLINE_S = 180.0  # `mlflow server` takes a minute to start on a loaded machine


@dataclass(frozen=True)
class LiveServer:
    url: str
    root: Path
    process: subprocess.Popen[bytes]

    @property
    def artifacts(self) -> Path:
        return self.root / "mlartifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, deadline_s: float = STARTUP_DEADLINE_S
) -> None:
    """Poll /health until it answers, the process dies, or the deadline passes."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mltrail server exited early:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"mltrail server not healthy after {deadline_s}s:\n{log.read_text()}")


def store_args(root: Path) -> list[str]:
    """A SQLite store and proxied artifacts kept under `root`."""
    return [
        "--backend-store-uri",
        f"sqlite:///{root / 'mltrail.db'}",
        "--artifacts-destination",
        str(root / "mlartifacts"),
    ]


def launch(root: Path, program: list[str], args: list[str], port: int | None = None) -> LiveServer:
    """Run `program --host 127.0.0.1 --port P ARGS` in `root` and wait until it is healthy.

    The server gets its own process group, so stopping it also stops any workers it forked.
    """
    root.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    command = [*program, "--host", "127.0.0.1", "--port", str(port), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env |= {"OMP_NUM_THREADS": "1", "MLFLOW_DISABLE_TELEMETRY": "true"}
    log = root / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LiveServer(f"http://127.0.0.1:{port}", root, process)
    try:
        wait_until_healthy(server.url, process, log)
    except BaseException:
        stop_server(server)
        raise
    return server


def start_server(
    root: Path, *args: str, own_store: bool = True, port: int | None = None
) -> LiveServer:
    """`mltrail server ARGS` on `port` (default: a free one); with `own_store`, its data lives
    under `root`."""
    program = [sys.executable, "-m", "mltrail.cli.server"]
    return launch(root, program, [*(store_args(root) if own_store else []), *args], port)


def start_official_server(root: Path) -> LiveServer:
    """The official `mlflow server` (one worker, SQLite, proxied artifacts) on a free port."""
    program = [sys.executable, "-m", "mlflow", "server", "--workers", "1"]
    return launch(root, program, store_args(root))


def stop_server(server: LiveServer) -> None:
    """Stop the server's process group: politely, then for sure (stray workers included)."""
    group = server.process.pid  # the leader of the session started for it
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    server.process.wait(timeout=15)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("mltrail-server"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def official_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_official_server(tmp_path_factory.mktemp("mlflow-server"))
    yield server
    stop_server(server)


@pytest.fixture
def mlflow(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The official client pointed at the live server; its global state reset afterwards."""
    import mlflow as official
    import mlflow.tracking.fluent as fluent

    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")  # fail fast, no backoff
    official.set_tracking_uri(live_server.url)
    yield official
    while official.active_run() is not None:
        official.end_run()
    fluent._active_experiment_id = None
    official.set_tracking_uri(None)  # type: ignore[arg-type]
