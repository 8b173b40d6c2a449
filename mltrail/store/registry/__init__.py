"""The model registry stores: `base` (the Protocol), `sql`, `rest`; `registry_store_for(uri)`
picks one by URI scheme (the same schemes as tracking stores)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mltrail.store.registry.base import RegistryStore

REST_SCHEMES = ("http", "https")


def registry_store_for(
    uri: str,
    artifact_root: str | None = None,
    extra_artifact_roots: Sequence[str] = (),
    *,
    tracking_store: object | None = None,
) -> RegistryStore:
    """The registry store at `uri`: a database URL, a folder, or a tracking server URL.

    A SQL `tracking_store` on the same database lends its connections: one pool (and, on
    SQLite, one writer) per database rather than two competing for the same file.
    """
    from mltrail.store.uri import SQL_SCHEMES, resolve_tracking_uri, scheme_of

    uri = resolve_tracking_uri(uri)
    scheme = scheme_of(uri)
    if scheme in REST_SCHEMES:
        from mltrail.store.registry.rest import RestRegistryStore

        return RestRegistryStore(uri)
    if scheme in SQL_SCHEMES:
        from mltrail.store.registry.sql.store import SqlRegistryStore
        from mltrail.store.tracking.sql import SqlTrackingStore

        database = None
        if isinstance(tracking_store, SqlTrackingStore):
            same_database = resolve_tracking_uri(tracking_store.uri) == uri
            database = tracking_store.database if same_database else None
        return SqlRegistryStore(
            uri, artifact_root, extra_artifact_roots=extra_artifact_roots, database=database
        )
    from mltrail.errors import ErrorCode, MltrailError

    raise MltrailError(
        f"No model registry store for URI scheme {scheme!r}; use a database URI "
        f"({', '.join(SQL_SCHEMES)}) or an http(s) tracking server URL.",
        ErrorCode.INVALID_PARAMETER_VALUE,
    )
