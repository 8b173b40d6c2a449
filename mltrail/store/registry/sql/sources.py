"""Which sources a model version may have, and where a version's files really are.

A source is accepted when it is a models:/ URI, a remote URI, or a local location inside the
artifact location of the version's run or logged model or inside the store's artifact roots;
`..` is refused everywhere (see `validation.check_source`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Connection, inspect, select

from mltrail.store.registry.sql.schema import model_versions
from mltrail.store.registry.validation import check_source
from mltrail.store.tracking.sql.schema import logged_models, runs

_MODELS_VERSION_URI = re.compile(r"^models:/+(?P<name>[^/@]+)/(?P<version>\d+)/?$")
_MODELS_ID_URI = re.compile(r"^models:/+(?P<model_id>m-[0-9a-f]+)/?$")
_MAX_HOPS = 10


class SourceRules:
    def __init__(self, artifact_roots: Sequence[str]) -> None:
        self.artifact_roots = tuple(root for root in artifact_roots if root)

    def check(self, conn: Connection, source: str, run_id: str | None, model_id: str | None) -> str:
        allowed = [*self.artifact_roots]
        if run_id:
            allowed += _column_values(conn, runs.c.artifact_uri, runs.c.run_id, run_id)
        if model_id:
            column = logged_models.c.artifact_location
            allowed += _column_values(conn, column, logged_models.c.model_id, model_id)
        return check_source(source, allowed)


def _column_values(
    conn: Connection, column: Column[Any], key: Column[Any], value: str
) -> list[str]:
    """Values from a tracking table, which a separate registry database may not have."""
    if not inspect(conn).has_table(column.table.name):
        return []
    return [v for v in conn.execute(select(column).where(key == value)).scalars() if v]


def resolve_download_uri(conn: Connection, name: str, number: int) -> str:
    """The version's source, following models:/ sources to the files they name."""
    from mltrail.store.registry.sql.rows import load_version

    source = load_version(conn, name, number).source or ""
    for _ in range(_MAX_HOPS):
        by_version = _MODELS_VERSION_URI.match(source)
        if by_version:
            found = conn.execute(
                select(model_versions.c.source).where(
                    model_versions.c.name == by_version["name"],
                    model_versions.c.version == int(by_version["version"]),
                )
            ).scalar()
            if found is None:
                return source
            source = found
            continue
        by_id = _MODELS_ID_URI.match(source)
        if by_id:
            column = logged_models.c.artifact_location
            found_ids = _column_values(conn, column, logged_models.c.model_id, by_id["model_id"])
            return found_ids[0] if found_ids else source
        return source
    return source
