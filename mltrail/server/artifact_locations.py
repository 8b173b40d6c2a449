"""Which artifact locations the server owns, and the repository behind each of them.

The server only ever reads or writes inside its roots: the proxy destination (reached through
``mlflow-artifacts:/<path>`` URIs) and the default artifact root. Experiments may only be
created with a location inside them, and listing refuses anything else, so a client can never
make the server touch an arbitrary path or bucket.
"""

from __future__ import annotations

import os
import posixpath
import threading
from urllib.parse import urlsplit

from mltrail._paths import normalize_artifact_path
from mltrail.errors import ErrorCode, InvalidParameter, MltrailError
from mltrail.server.settings import ServerSettings
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.store.uri import artifact_repository_for, scheme_of

PROXY_SCHEMES = frozenset({"mlflow-artifacts", "mltrail-artifacts"})
LOCAL_SCHEMES = frozenset({"", "file"})


def safe_relative_path(path: str | None) -> str:
    """A client-supplied artifact path, decoded and checked (no `..`, absolute, `\\`...)."""
    if not path:
        return ""
    try:
        return normalize_artifact_path(path)
    except (ValueError, MltrailError):
        raise InvalidParameter("Invalid path") from None


def join(base: str, rel: str) -> str:
    return f"{base.rstrip('/')}/{rel}" if base and rel else base or rel


class ArtifactLocations:
    def __init__(self, settings: ServerSettings) -> None:
        self.serving = settings.serve_artifacts or settings.artifacts_only
        self.destination = settings.artifacts_destination if self.serving else None
        self.roots = tuple(r for r in (settings.default_artifact_root, self.destination) if r)
        self._proxy: ArtifactRepository | None = None
        self._lock = threading.Lock()

    def proxy(self) -> ArtifactRepository:
        """The repository at the proxy destination (built once, on first use)."""
        if self.destination is None:
            raise MltrailError(
                "This server does not serve artifacts (started with --no-serve-artifacts).",
                ErrorCode.FEATURE_DISABLED,
            )
        with self._lock:
            if self._proxy is None:
                self._proxy = artifact_repository_for(self.destination)
            return self._proxy

    def check_new_location(self, location: str | None) -> str | None:
        """Accept an experiment's requested artifact location only inside the server's roots."""
        if not location:
            return None
        if scheme_of(location) in PROXY_SCHEMES:
            self.proxy()
            rel = safe_relative_path(urlsplit(location).path.lstrip("/"))
            return f"mlflow-artifacts:/{rel}"
        if not any(_inside(location, root) for root in self.roots):
            raise InvalidParameter(
                f"artifact_location {location!r} is outside the artifact locations this server "
                "manages; omit it to use the server's default."
            )
        return location

    def open(self, uri: str) -> tuple[ArtifactRepository, str]:
        """The repository holding artifact location `uri`, and the location's path inside it."""
        if scheme_of(uri) in PROXY_SCHEMES:
            return self.proxy(), safe_relative_path(urlsplit(uri).path.lstrip("/"))
        if not any(_inside(uri, root) for root in self.roots):
            raise InvalidParameter("The artifact location is outside this server's artifact roots.")
        return artifact_repository_for(uri), ""


def _inside(location: str, root: str) -> bool:
    """Is `location` `root` itself or below it (after resolving `..` and symlinks)?"""
    loc_scheme, root_scheme = scheme_of(location), scheme_of(root)
    if loc_scheme in LOCAL_SCHEMES and root_scheme in LOCAL_SCHEMES:
        loc_path = os.path.realpath(_local_path(location))
        root_path = os.path.realpath(_local_path(root))
        return loc_path == root_path or loc_path.startswith(root_path.rstrip(os.sep) + os.sep)
    loc, base = urlsplit(location), urlsplit(root)
    if (loc.scheme, loc.netloc) != (base.scheme, base.netloc) or ".." in loc.path.split("/"):
        return False
    loc_path = posixpath.normpath("/" + loc.path)
    root_path = posixpath.normpath("/" + base.path)
    return loc_path == root_path or loc_path.startswith(root_path.rstrip("/") + "/")


def _local_path(uri: str) -> str:
    return urlsplit(uri).path if scheme_of(uri) == "file" else uri
