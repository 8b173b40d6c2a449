"""Backends chosen by URI scheme: the one place tracking and artifact URIs are parsed.

Built-in schemes are registered here; packages add more through the entry-point groups
``mltrail.tracking_store`` and ``mltrail.artifact_repository`` (the name is the scheme, the
object a factory taking the URI, plus ``artifact_root`` for tracking stores).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from mltrail.errors import ErrorCode, MltrailError
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.store.tracking.base import TrackingStore

TRACKING_STORE_GROUP = "mltrail.tracking_store"
ARTIFACT_REPOSITORY_GROUP = "mltrail.artifact_repository"
DEFAULT_DB_FILE = "mltrail.db"
DEFAULT_ARTIFACTS_DIR = "mlartifacts"

SQL_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql")

# scheme -> "module:factory"; modules are imported only when a URI needs them.
_BUILTIN_TRACKING: dict[str, str] = {
    **dict.fromkeys(SQL_SCHEMES, "mltrail.store.tracking.sql.store:SqlTrackingStore"),
    "http": "mltrail.store.tracking.rest:RestTrackingStore",
    "https": "mltrail.store.tracking.rest:RestTrackingStore",
}
_BUILTIN_ARTIFACTS: dict[str, str] = {
    "": "mltrail.store.artifacts.local:LocalArtifactRepository",
    "file": "mltrail.store.artifacts.local:LocalArtifactRepository",
    "s3": "mltrail.store.artifacts.s3:S3ArtifactRepository",
    "http": "mltrail.store.artifacts.http:HttpArtifactRepository",
    "https": "mltrail.store.artifacts.http:HttpArtifactRepository",
    "mlflow-artifacts": "mltrail.store.artifacts.http:HttpArtifactRepository",
    "mltrail-artifacts": "mltrail.store.artifacts.http:HttpArtifactRepository",
}


def scheme_of(uri: str) -> str:
    """The backend scheme: 'postgresql' for 'postgresql+psycopg://', '' for a plain path."""
    if os.name == "nt" and len(uri) > 1 and uri[1] == ":":
        return ""
    return urlparse(uri).scheme.split("+", 1)[0].lower()


def default_tracking_uri(cwd: str | None = None) -> str:
    """The embedded store: a SQLite file in the working directory."""
    return f"sqlite:///{Path(cwd or os.getcwd(), DEFAULT_DB_FILE)}"


def resolve_tracking_uri(uri: str) -> str:
    """Turn a folder path or file: URI into the SQLite store kept inside that folder."""
    scheme = scheme_of(uri)
    if scheme not in ("", "file"):
        return uri
    folder = Path(urlparse(uri).path if scheme == "file" else uri).expanduser().resolve()
    _refuse_legacy_mlflow_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / DEFAULT_DB_FILE}"


def _refuse_legacy_mlflow_folder(folder: Path) -> None:
    if any(folder.glob("*/meta.yaml")):
        raise MltrailError(
            f"{folder} holds an MLflow file store (./mlruns layout). mltrail never writes to it; "
            f"copy it with `mltrail import --from {folder}` and use the resulting database.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )


def tracking_store_for(uri: str, artifact_root: str | None = None) -> TrackingStore:
    uri = resolve_tracking_uri(uri)
    factory = _factory(scheme_of(uri), _BUILTIN_TRACKING, TRACKING_STORE_GROUP, "tracking store")
    store: TrackingStore = factory(uri, artifact_root=artifact_root)
    return store


# Artifact URIs that name no server (``mlflow-artifacts:/<path>``): the tracking server serves them.
SERVER_RELATIVE_ARTIFACT_SCHEMES = frozenset({"mlflow-artifacts", "mltrail-artifacts"})


def artifact_repository_for(uri: str, tracking_uri: str | None = None) -> ArtifactRepository:
    """The repository for an artifact URI; `tracking_uri` is the server behind
    ``mlflow-artifacts:/`` URIs (by default the environment's tracking URI)."""
    scheme = scheme_of(uri)
    factory = _factory(scheme, _BUILTIN_ARTIFACTS, ARTIFACT_REPOSITORY_GROUP, "artifact repository")
    if tracking_uri is not None and scheme in SERVER_RELATIVE_ARTIFACT_SCHEMES:
        proxied: ArtifactRepository = factory(uri, tracking_uri=tracking_uri)
        return proxied
    repo: ArtifactRepository = factory(uri)
    return repo


def _factory(scheme: str, builtin: dict[str, str], group: str, what: str) -> Callable[..., Any]:
    plugins = _plugins(group)
    if scheme in plugins:
        plugin: Callable[..., Any] = plugins[scheme].load()
        return plugin
    target = builtin.get(scheme)
    if target is None:
        known = sorted({*builtin, *plugins} - {""})
        raise MltrailError(
            f"No {what} for URI scheme {scheme!r}. Known schemes: {', '.join(known)}; "
            f"packages can add more through the {group!r} entry-point group.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    module, _, attr = target.partition(":")
    factory: Callable[..., Any] = getattr(importlib.import_module(module), attr)
    return factory


@cache
def _plugins(group: str) -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=group)}


def clear_plugin_cache() -> None:
    """Forget loaded entry points (after installing a plugin in-process, e.g. in tests)."""
    _plugins.cache_clear()
