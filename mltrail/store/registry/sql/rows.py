"""Reading registry rows into entities: a few set-based queries per call, never one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from mltrail.entities.registry import ModelVersion, RegisteredModel
from mltrail.errors import NotFound
from mltrail.store.registry.sql.schema import (
    model_version_tags,
    model_versions,
    registered_model_aliases,
    registered_model_tags,
    registered_models,
)
from mltrail.store.tracking.sql.engine import chunks

VersionKey = tuple[str, int]


def model_not_found(name: str) -> NotFound:
    return NotFound(f"Registered Model with name={name} not found")


def version_not_found(name: str, version: int | str) -> NotFound:
    return NotFound(f"Model Version (name={name}, version={version}) not found")


def require_model(conn: Connection, name: str, *, lock: bool = False) -> Any:
    """The model's row; `lock` holds it (FOR UPDATE) for the rest of the transaction."""
    query = select(registered_models).where(registered_models.c.name == name)
    if lock and conn.dialect.name != "sqlite":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise model_not_found(name)
    return row


def require_version(conn: Connection, name: str, version: int) -> None:
    found = conn.execute(
        select(model_versions.c.version).where(
            model_versions.c.name == name, model_versions.c.version == version
        )
    ).first()
    if found is None:
        require_model(conn, name)
        raise version_not_found(name, version)


def load_versions(conn: Connection, keys: Sequence[VersionKey]) -> list[ModelVersion]:
    """The versions with these keys, in the order of `keys` (missing ones are skipped)."""
    rows: dict[VersionKey, Any] = {}
    tags: dict[VersionKey, dict[str, str]] = defaultdict(dict)
    aliases: dict[VersionKey, list[str]] = defaultdict(list)
    for part in chunks(keys, 500):
        for row in conn.execute(select(model_versions).where(_owned_by(model_versions, part))):
            rows[(row.name, row.version)] = row
        tag_rows = conn.execute(
            select(model_version_tags)
            .where(_owned_by(model_version_tags, part))
            .order_by(model_version_tags.c.key)
        )
        for row in tag_rows:
            tags[(row.name, row.version)][row.key] = row.value
        alias_rows = conn.execute(
            select(registered_model_aliases)
            .where(_owned_by(registered_model_aliases, part))
            .order_by(registered_model_aliases.c.alias)
        )
        for row in alias_rows:
            aliases[(row.name, row.version)].append(row.alias)
    return [_version(rows[key], tags[key], aliases[key]) for key in keys if key in rows]


def _owned_by(table: Any, keys: Sequence[VersionKey]) -> Any:
    names = {name for name, _ in keys}
    if len(names) == 1:
        return and_(table.c.name == next(iter(names)), table.c.version.in_([v for _, v in keys]))
    return or_(*(and_(table.c.name == n, table.c.version == v) for n, v in keys))


def _version(row: Any, tags: dict[str, str], aliases: list[str]) -> ModelVersion:
    return ModelVersion(
        name=row.name,
        version=str(row.version),
        creation_timestamp=row.creation_timestamp,
        last_updated_timestamp=row.last_updated_timestamp,
        description=row.description,
        user_id=row.user_id,
        current_stage=row.current_stage,
        source=row.source,
        run_id=row.run_id,
        status=row.status,
        status_message=row.status_message,
        tags=dict(tags),
        run_link=row.run_link,
        aliases=list(aliases),
        model_id=row.model_id,
    )


def load_version(conn: Connection, name: str, version: int) -> ModelVersion:
    found = load_versions(conn, [(name, version)])
    if not found:
        require_model(conn, name)
        raise version_not_found(name, version)
    return found[0]


def latest_version_keys(
    conn: Connection, names: Sequence[str], stages: Sequence[str] | None = None
) -> dict[str, list[VersionKey]]:
    """Per model: the newest version in each stage (in `stages`, or all), by version number."""
    result: dict[str, list[VersionKey]] = defaultdict(list)
    for part in chunks(list(names), 500):
        newest = (
            select(
                model_versions.c.name,
                model_versions.c.current_stage,
                func.max(model_versions.c.version).label("version"),
            )
            .where(model_versions.c.name.in_(part))
            .group_by(model_versions.c.name, model_versions.c.current_stage)
        )
        if stages is not None:
            newest = newest.where(model_versions.c.current_stage.in_(list(stages)))
        for row in conn.execute(newest):
            result[row.name].append((row.name, row.version))
    for keys in result.values():
        keys.sort(key=lambda key: key[1])
    return result


def load_models(conn: Connection, names: Sequence[str]) -> list[RegisteredModel]:
    """The models with these names, in the order of `names`, with tags, aliases and the
    latest version per stage."""
    rows: dict[str, Any] = {}
    tags: dict[str, dict[str, str]] = defaultdict(dict)
    aliases: dict[str, dict[str, str]] = defaultdict(dict)
    for part in chunks(list(names), 500):
        for row in conn.execute(
            select(registered_models).where(registered_models.c.name.in_(part))
        ):
            rows[row.name] = row
        tag_query = (
            select(registered_model_tags)
            .where(registered_model_tags.c.name.in_(part))
            .order_by(registered_model_tags.c.key)
        )
        for row in conn.execute(tag_query):
            tags[row.name][row.key] = row.value
        alias_query = (
            select(registered_model_aliases)
            .where(registered_model_aliases.c.name.in_(part))
            .order_by(registered_model_aliases.c.alias)
        )
        for row in conn.execute(alias_query):
            aliases[row.name][row.alias] = str(row.version)
    latest = latest_version_keys(conn, list(rows))
    latest_versions = load_versions(conn, [key for keys in latest.values() for key in keys])
    by_model: dict[str, list[ModelVersion]] = defaultdict(list)
    for version in latest_versions:
        by_model[version.name].append(version)
    return [
        RegisteredModel(
            name=name,
            creation_timestamp=rows[name].creation_timestamp,
            last_updated_timestamp=rows[name].last_updated_timestamp,
            description=rows[name].description,
            latest_versions=by_model[name],
            tags=dict(tags[name]),
            aliases=dict(aliases[name]),
            user_id=rows[name].user_id,
        )
        for name in names
        if name in rows
    ]


def load_model(conn: Connection, name: str) -> RegisteredModel:
    found = load_models(conn, [name])
    if not found:
        raise model_not_found(name)
    return found[0]
