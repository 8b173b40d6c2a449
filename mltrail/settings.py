"""Every option mltrail reads from the environment, declared once.

Each option has a ``MLTRAIL_*`` variable and, where MLflow has one, its ``MLFLOW_*`` twin;
the ``MLTRAIL_*`` name wins. `Settings.from_env()` reads them all into one frozen object.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _option(default: Any, help: str, *, mlflow: bool = True) -> Any:
    return field(default=default, metadata={"help": help, "mlflow": mlflow})


@dataclass(frozen=True)
class Settings:
    tracking_uri: str | None = _option(
        None, "Where runs are recorded: a database URI, a path or an http(s) server."
    )
    registry_uri: str | None = _option(
        None, "Model registry store URI; defaults to the tracking URI."
    )
    experiment_name: str | None = _option(
        None, "Experiment that fluent runs go to when none is set."
    )
    experiment_id: str | None = _option(
        None, "Experiment id that fluent runs go to when none is set."
    )
    run_id: str | None = _option(
        None, "Run that `start_run()` resumes (set for project child processes)."
    )
    tracking_username: str | None = _option(
        None, "HTTP basic-auth user name for a tracking server."
    )
    tracking_password: str | None = _option(None, "HTTP basic-auth password for a tracking server.")
    tracking_token: str | None = _option(None, "Bearer token for a tracking server.")
    tracking_insecure_tls: bool = _option(False, "Skip TLS certificate verification.")
    tracking_server_cert_path: str | None = _option(None, "CA bundle used to verify the server.")
    tracking_client_cert_path: str | None = _option(None, "Client certificate for mutual TLS.")
    http_request_timeout: float = _option(
        120.0, "Seconds before an HTTP request to a server fails."
    )
    http_request_max_retries: int = _option(7, "Retries for 429/5xx answers and connection errors.")
    http_request_backoff_factor: float = _option(2.0, "Exponential backoff factor between retries.")
    truncate_long_values: bool = _option(
        True, "Truncate over-long param and tag values instead of failing."
    )
    run_context: str | None = _option(None, "JSON object of extra tags added to every new run.")
    enable_system_metrics_logging: bool = _option(
        False, "Log CPU/memory/disk/network/GPU metrics for every run."
    )
    system_metrics_sampling_interval: float = _option(
        10.0, "Seconds between system-metric samples."
    )
    system_metrics_samples_before_logging: int = _option(
        1, "Samples averaged into one logged value."
    )
    system_metrics_node_id: str | None = _option(
        None, "Adds system/<node_id>/ to system metric names."
    )
    enable_artifacts_progress_bar: bool = _option(
        True, "Show progress bars for artifact transfers."
    )
    s3_endpoint_url: str | None = _option(
        None, "S3 endpoint for s3:// artifacts (MinIO, moto, ...); AWS's by default."
    )
    s3_ignore_tls: bool = _option(False, "Skip TLS certificate verification for S3.")
    s3_upload_extra_args: str | None = _option(
        None, 'JSON object of extra S3 upload arguments, e.g. {"ServerSideEncryption": "AES256"}.'
    )
    boto_client_addressing_style: str = _option(
        "auto", "S3 addressing style: auto, path or virtual."
    )
    multipart_upload_chunk_size: int = _option(
        10 * 1024 * 1024, "Part size in bytes of multipart S3 uploads (at least 5 MiB)."
    )
    sqlalchemystore_pool_size: int | None = _option(
        None, "Connections kept open per process to a server database."
    )
    sqlalchemystore_max_overflow: int | None = _option(
        None, "Extra connections allowed above the pool size."
    )
    source_type: str | None = _option(
        None,
        "Overrides `mlflow.source.type` (set by launchers such as project runs).",
        mlflow=False,
    )
    source_name: str | None = _option(
        None,
        "Overrides `mlflow.source.name` (set by launchers such as project runs).",
        mlflow=False,
    )
    default_artifact_root: str | None = _option(
        None, "Artifact root for new experiments of the local store.", mlflow=False
    )
    log_git_diff: bool = _option(
        True, "Log the uncommitted `git diff` as an artifact when the tree is dirty.", mlflow=False
    )
    log_installed_packages: bool = _option(
        False, "Log `pip freeze` output as an artifact of every run.", mlflow=False
    )
    offline: bool = _option(
        False,
        "Log to the local offline store under `spool_dir`; `mltrail sync` uploads it later.",
        mlflow=False,
    )
    spool_dir: str | None = _option(
        None,
        "Folder for the offline store, batches a server did not take, and sync records "
        "(default: ./.mltrail).",
        mlflow=False,
    )
    webhook_allowed_schemes: str = _option(
        "https", "Comma-separated URL schemes webhook endpoints may use."
    )
    webhook_allow_private_ips: bool = _option(
        False, "Allow webhook deliveries to private, loopback and link-local addresses."
    )
    webhook_request_max_retries: int = _option(
        3, "Retries of a webhook delivery on 429/5xx answers and connection errors."
    )
    webhook_request_timeout: float = _option(30.0, "Seconds before a webhook delivery times out.")
    webhook_request_backoff_factor: float = _option(
        1.0, "Seconds before the first webhook retry; doubled for each next one.", mlflow=False
    )
    webhook_delivery_max_workers: int = _option(
        10, "Threads per server process delivering webhooks in the background."
    )
    webhook_cache_ttl: float = _option(
        60.0, "Seconds a server process remembers which webhooks listen to an event."
    )
    webhook_secret_encryption_key: str | None = _option(
        None,
        "Fernet key(s) encrypting webhook secrets in the database, comma-separated to rotate "
        "(the first encrypts). Unset: a SQLite database gets a key file beside it "
        "(`<database>.webhook-key`); other databases refuse webhook secrets.",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = _lookup(env, f.name, mlflow=f.metadata["mlflow"])
            if raw is not None:
                values[f.name] = _parse(f.name, raw, str(f.type))
        return cls(**values)

    @staticmethod
    def env_names(name: str) -> tuple[str, ...]:
        """The variables an option is read from, in precedence order."""
        field_ = next(f for f in dataclasses.fields(Settings) if f.name == name)
        upper = name.upper()
        return (
            (f"MLTRAIL_{upper}", f"MLFLOW_{upper}")
            if field_.metadata["mlflow"]
            else (f"MLTRAIL_{upper}",)
        )


def _lookup(env: Mapping[str, str], name: str, *, mlflow: bool) -> str | None:
    upper = name.upper()
    value = env.get(f"MLTRAIL_{upper}")
    if value is None and mlflow:
        value = env.get(f"MLFLOW_{upper}")
    return value


def _parse(name: str, raw: str, annotation: str) -> Any:
    """Convert by the field's declared type ("bool", "int | None", ...)."""
    kind = annotation.split("|")[0].strip()
    try:
        if kind == "bool":
            return _parse_bool(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        expected = {"bool": "true or false", "int": "an integer", "float": "a number"}[kind]
        raise ValueError(f"{name.upper()} must be {expected}, got {raw!r}") from None
    return raw or None


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(raw)


def env_flag(name: str, default: bool = False) -> bool:
    """Read one boolean variable outside Settings (e.g. a test switch)."""
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in _TRUE


def reference_markdown() -> str:
    """The settings reference page (docs/settings.md), generated so it cannot drift."""
    lines = [
        "# Settings",
        "",
        "Every option mltrail reads from the environment. The `MLTRAIL_*` variable wins over",
        "its `MLFLOW_*` twin. Generated by `python -m mltrail.settings`; a test keeps it current.",
        "",
        "| option | variables | default | meaning |",
        "|---|---|---|---|",
    ]
    for f in dataclasses.fields(Settings):
        names = ", ".join(f"`{n}`" for n in Settings.env_names(f.name))
        lines.append(f"| `{f.name}` | {names} | `{f.default!r}` | {f.metadata['help']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")
