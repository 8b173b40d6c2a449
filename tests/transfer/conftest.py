"""MLflow histories written by the real `mlflow` package, made once per session and in
parallel (MLflow takes a minute per store here): a SQLite database, a legacy ./mlruns folder
and a running `mlflow server` (SQLite + proxied artifacts). Each comes with the snapshot the
real client answered about it (snapshot.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.compat import conftest as compat
from tests.compat.conftest import LiveServer

MAKE = Path(__file__).with_name("make_mlflow_data.py")
DEADLINE_S = 900
SERVER_START_DEADLINE_S = 600.0


@dataclass(frozen=True)
class MlflowHistory:
    uri: str
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class MlflowSources:
    sqlite: MlflowHistory
    files: MlflowHistory
    server: MlflowHistory
    live_server: LiveServer


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    return env | {
        "MLFLOW_ALLOW_FILE_STORE": "true",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "OMP_NUM_THREADS": "1",
    }


def _start(root: Path, name: str, uri: str) -> tuple[subprocess.Popen[bytes], Path]:
    folder = root / name
    folder.mkdir()
    log = (folder / "make.log").open("wb")
    command = [sys.executable, str(MAKE), uri, str(folder / "snapshot.json")]
    process = subprocess.Popen(command, cwd=folder, env=_env(), stdout=log, stderr=log)
    return process, folder


def _finish(process: subprocess.Popen[bytes], folder: Path, uri: str) -> MlflowHistory:
    if process.wait(timeout=DEADLINE_S) != 0:
        raise RuntimeError((folder / "make.log").read_text()[-4000:])
    return MlflowHistory(uri, json.loads((folder / "snapshot.json").read_text()))


@pytest.fixture(scope="session")
def mlflow_sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowSources]:
    root = tmp_path_factory.mktemp("mlflow-sources")
    # The server first: its start has a deadline, the writers do not. `mlflow server` needs
    # minutes to start on a busy shared machine, so the deadline is raised for it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compat, "STARTUP_DEADLINE_S", SERVER_START_DEADLINE_S)
        server = compat.start_official_server(root / "server")
    try:
        sqlite_uri = f"sqlite:///{root / 'sqlite' / 'mlflow.db'}"
        files_dir = root / "files" / "mlruns"
        makers = [
            ("sqlite", sqlite_uri, sqlite_uri),
            ("files", f"file://{files_dir}", str(files_dir)),
            ("server-data", server.url, server.url),
        ]
        started = [(_start(root, name, uri), source) for name, uri, source in makers]
        sqlite, files, served = (_finish(p, folder, src) for (p, folder), src in started)
        yield MlflowSources(sqlite, files, served, server)
    finally:
        compat.stop_server(server)
