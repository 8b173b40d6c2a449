"""The boto3 side of ``s3://`` artifacts: settings, one shared client per configuration, and
boto3 failures translated into MltrailErrors with MLflow's codes.

boto3 is imported only when a client is first needed (it belongs to the ``s3`` extra).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mltrail.errors import ErrorCode, InvalidParameter, MltrailError, NotFound
from mltrail.settings import Settings

MIN_PART_SIZE = 5 * 1024 * 1024  # S3 refuses smaller parts, except the last
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket", "NoSuchUpload"})
_DENIED = frozenset({"403", "AccessDenied", "Forbidden", "AllAccessDisabled"})
_INVALID = frozenset({"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "InvalidBucketName"})


@dataclass(frozen=True)
class S3Options:
    """The S3 settings that shape a boto3 client and its uploads."""

    endpoint_url: str | None = None
    verify: bool = True
    addressing_style: str = "auto"
    upload_extra_args: str | None = None  # JSON text, as in the environment
    part_size: int = 10 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Options:
        style = (settings.boto_client_addressing_style or "auto").lower()
        if style not in ("auto", "path", "virtual"):
            raise InvalidParameter(
                f"MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE must be auto, path or virtual, not {style!r}."
            )
        return cls(
            endpoint_url=settings.s3_endpoint_url,
            verify=not settings.s3_ignore_tls,
            addressing_style=style,
            upload_extra_args=settings.s3_upload_extra_args,
            part_size=max(settings.multipart_upload_chunk_size, MIN_PART_SIZE),
        )

    def extra_args(self) -> dict[str, Any]:
        if not self.upload_extra_args:
            return {}
        try:
            parsed = json.loads(self.upload_extra_args)
        except json.JSONDecodeError as exc:
            raise InvalidParameter(
                f"MLFLOW_S3_UPLOAD_EXTRA_ARGS is not valid JSON: {exc}"
            ) from None
        if not isinstance(parsed, dict):
            raise InvalidParameter("MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object.")
        return parsed


# One client per configuration and credentials, shared by every repository of the process:
# building a boto3 client costs tens of milliseconds, and clients are thread-safe.
_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()
_AWS_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
)


def s3_client(options: S3Options) -> Any:
    credentials = tuple(os.environ.get(name) for name in _AWS_ENV)
    key = (options.endpoint_url, options.verify, options.addressing_style, *credentials)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _new_client(options)
        return client


def _new_client(options: S3Options) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise MltrailError(
            "s3:// artifacts need boto3: pip install 'mltrail[s3]'", ErrorCode.FEATURE_DISABLED
        ) from None
    config = Config(
        s3={"addressing_style": options.addressing_style},
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=32,
    )
    session = boto3.session.Session()
    return session.client(
        "s3", endpoint_url=options.endpoint_url, verify=options.verify, config=config
    )


def _error_code(exc: Exception) -> str:
    response: dict[str, Any] = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def translated(exc: Exception, what: str) -> MltrailError | None:
    """A boto3 failure as an MltrailError with MLflow's code (None: not a boto3 failure)."""
    code = _error_code(exc)
    if code in _NOT_FOUND:
        return NotFound(f"{what} does not exist ({code}).")
    if code in _DENIED:
        return MltrailError(
            f"Access to {what} was denied by S3 ({code}).", ErrorCode.PERMISSION_DENIED
        )
    if code in _INVALID:
        return InvalidParameter(f"S3 refused the request for {what}: {exc}")
    if code:
        return MltrailError(f"S3 request for {what} failed: {exc}", ErrorCode.IO_ERROR)
    from botocore.exceptions import ConnectionError, HTTPClientError, NoCredentialsError

    if isinstance(exc, NoCredentialsError):
        return MltrailError(
            f"No AWS credentials for {what}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "AWS_PROFILE, or run with an instance role.",
            ErrorCode.UNAUTHENTICATED,
        )

    if isinstance(exc, ConnectionError | HTTPClientError):
        unavailable = ErrorCode.TEMPORARILY_UNAVAILABLE
        return MltrailError(f"Could not reach S3 for {what}: {exc}", unavailable)
    return None


@contextlib.contextmanager
def s3_errors(what: str) -> Iterator[None]:
    """Raise boto3 failures inside the block as MltrailErrors (see `translated`)."""
    try:
        yield
    except MltrailError:
        raise
    except Exception as exc:
        mapped = translated(exc, what)
        if mapped is None:
            raise
        raise mapped from exc
