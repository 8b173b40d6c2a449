"""A scoring server running a model inside its own environment, and a client for it.

Used where the caller's Python cannot load the model itself (`spark_udf(env_manager=...)`):
the server is mltrail's `models serve` started in the model's environment on 127.0.0.1, and
inputs travel as MLflow scoring-protocol JSON.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mltrail.envs.model import ModelEnv
from mltrail.envs.process import start
from mltrail.errors import ErrorCode, MltrailError

STARTUP_DEADLINE_S = 300.0  # a large model may take minutes to load


@dataclass
class ScoringServer:
    url: str
    process: subprocess.Popen[bytes]
    model_dir: Path

    def predict(self, data: Any, params: Mapping[str, Any] | None = None) -> Any:
        """The model's predictions for `data` (a DataFrame, an array or a dict of arrays)."""
        import httpx

        response = httpx.post(
            f"{self.url}/invocations",
            content=request_body(data, params),
            headers={"Content-Type": "application/json"},
            timeout=None,
        )
        if response.status_code != 200:
            raise MltrailError(
                f"The model's scoring server answered {response.status_code}: {response.text}",
                ErrorCode.INTERNAL_ERROR,
            )
        return response.json()["predictions"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    env: ModelEnv, model_dir: Path, extra_env: Mapping[str, str] | None = None
) -> ScoringServer:
    """Start the scoring server for `model_dir` in `env` and wait until it answers /ping."""
    port = _free_port()
    argv = env.mltrail_argv(
        "models", "serve", "-m", str(model_dir), "-h", "127.0.0.1", "-p", str(port),
        "--env-manager", "local",
    )  # fmt: skip
    process = start(argv, {**env.child_env(), **(extra_env or {})}, stdout=subprocess.DEVNULL)
    server = ScoringServer(f"http://127.0.0.1:{port}", process, model_dir)
    try:
        _wait_until_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def request_body(data: Any, params: Mapping[str, Any] | None) -> str:
    """MLflow's scoring JSON for `data`: dataframe_split for frames, inputs for tensors."""
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame_json: str = data.to_json(orient="split", date_format="iso")
        body = '{"dataframe_split": ' + frame_json
    elif isinstance(data, Mapping):
        inputs = {str(k): np.asarray(v).tolist() for k, v in data.items()}
        body = '{"inputs": ' + json.dumps(inputs)
    else:
        body = '{"inputs": ' + json.dumps(np.asarray(data).tolist())
    if params:
        body += ', "params": ' + json.dumps(dict(params))
    return body + "}"


def _wait_until_ready(server: ScoringServer) -> None:
    import httpx

    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise MltrailError(
                f"The model's scoring server exited with code {server.process.returncode} "
                "before it was ready (its error is in the log above)."
            )
        try:
            if httpx.get(f"{server.url}/ping", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise MltrailError(f"The model's scoring server did not start in {STARTUP_DEADLINE_S:g} s.")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
