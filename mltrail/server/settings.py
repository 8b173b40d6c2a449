"""The tracking server's configuration: one frozen dataclass, built by the CLI.

Worker processes receive it as one JSON document in the ``MLTRAIL_SERVER_SETTINGS`` variable
(`to_json` / `from_json`), so every worker runs with exactly the settings the CLI resolved.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from typing import Any

SETTINGS_ENV_VAR = "MLTRAIL_SERVER_SETTINGS"
DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024  # a dataset profile alone may be 16 MB

# MLflow's defaults: localhost and private networks for Host, localhost origins for CORS.
DEFAULT_ALLOWED_HOSTS = (
    "localhost",
    "127.0.0.1",
    "[::1]",
    "10.*",
    "192.168.*",
    *(f"172.{n}.*" for n in range(16, 32)),
)
DEFAULT_CORS_ORIGINS = ("http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*")


@dataclass(frozen=True)
class ServerSettings:
    """Everything `create_app` needs; URIs and paths are already resolved by the CLI."""

    backend_store_uri: str
    registry_store_uri: str | None = None
    default_artifact_root: str | None = None
    artifacts_destination: str | None = None
    serve_artifacts: bool = True
    artifacts_only: bool = False
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    cors_allowed_origins: tuple[str, ...] = DEFAULT_CORS_ORIGINS
    x_frame_options: str | None = "SAMEORIGIN"
    static_prefix: str = ""
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    dev: bool = False

    @property
    def new_experiment_artifact_root(self) -> str | None:
        """Where new experiments put artifacts: the proxy, or the configured root."""
        if self.default_artifact_root:
            return self.default_artifact_root
        return "mlflow-artifacts:/" if self.serve_artifacts else None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServerSettings:
        raw: dict[str, Any] = json.loads(text)
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known
        }
        return cls(**values)

    @classmethod
    def from_env(cls) -> ServerSettings:
        text = os.environ.get(SETTINGS_ENV_VAR)
        if not text:
            raise RuntimeError(
                f"{SETTINGS_ENV_VAR} is not set; start the server with `mltrail server`."
            )
        return cls.from_json(text)
