"""The process's tracking and registry URIs: explicit setting > environment > embedded default.

`set_tracking_uri` also exports the URI to the environment, as MLflow does, so child processes
(project runs, workers) log to the same place.
"""

from __future__ import annotations

import os
from pathlib import Path

from mltrail.settings import Settings

_tracking_uri: str | None = None
_registry_uri: str | None = None


def set_tracking_uri(uri: str | Path) -> None:
    """Where runs are recorded: a database URI, a folder path, or an http(s) server URL."""
    global _tracking_uri
    text = uri.absolute().as_uri() if isinstance(uri, Path) else str(uri)
    _tracking_uri = text
    _export("tracking_uri", text)


def get_tracking_uri() -> str:
    if _tracking_uri is not None:
        return _tracking_uri
    offline = _from_env("offline")
    if offline and Settings.from_env().offline:
        # Offline mode logs locally even when the environment names a server;
        # `mltrail sync --to <server>` uploads it later.
        from mltrail.tracking.spool import offline_tracking_uri

        return offline_tracking_uri()
    from_env = _from_env("tracking_uri")
    if from_env:
        return from_env
    from mltrail.store.uri import default_tracking_uri

    return default_tracking_uri()


def is_tracking_uri_set() -> bool:
    return _tracking_uri is not None or bool(_from_env("tracking_uri"))


def set_registry_uri(uri: str) -> None:
    global _registry_uri
    _registry_uri = str(uri)
    _export("registry_uri", _registry_uri)


def get_registry_uri() -> str:
    """The model registry's URI; it defaults to the tracking URI."""
    return _registry_uri or _from_env("registry_uri") or get_tracking_uri()


def resolve_tracking_uri(explicit: str | None) -> str:
    """An explicit URI if given, else the process's current tracking URI."""
    return explicit if explicit else get_tracking_uri()


def _from_env(option: str) -> str | None:
    for name in Settings.env_names(option):
        value = os.environ.get(name)
        if value:
            return value
    return None


def _export(option: str, value: str) -> None:
    for name in Settings.env_names(option):
        os.environ[name] = value


def reset() -> None:
    """Forget explicitly set URIs (the environment variables they exported are left alone)."""
    global _tracking_uri, _registry_uri
    _tracking_uri = None
    _registry_uri = None
