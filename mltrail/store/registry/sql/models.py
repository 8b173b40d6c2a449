"""Registered models in SQL: create, read, rename, describe, delete, search, tags and aliases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from mltrail._time import now_ms
from mltrail.entities import PagedList
from mltrail.entities.registry import (
    ALL_STAGES,
    ModelVersion,
    ModelVersionStage,
    RegisteredModel,
    RegisteredModelTag,
)
from mltrail.errors import AlreadyExists, InvalidParameter
from mltrail.store.registry.sql import rows
from mltrail.store.registry.sql.schema import (
    registered_model_aliases,
    registered_model_tags,
    registered_models,
)
from mltrail.store.registry.sql.search import registered_models_query
from mltrail.store.registry.validation import (
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
    check_alias,
    check_description,
    check_model_name,
    check_tag,
    parse_version,
)
from mltrail.store.tracking.page_token import decode_offset, next_page_token
from mltrail.store.tracking.sql.engine import Database, upsert
from mltrail.store.tracking.validation import check_max_results


def already_exists(name: str) -> AlreadyExists:
    return AlreadyExists(f"Registered Model (name={name}) already exists.")


def touch_model(conn: Connection, name: str, when: int | None = None) -> None:
    conn.execute(
        update(registered_models)
        .where(registered_models.c.name == name)
        .values(last_updated_timestamp=now_ms() if when is None else when)
    )


class RegisteredModelsMixin:
    _db: Database

    def create_registered_model(
        self,
        name: str,
        tags: Sequence[RegisteredModelTag] = (),
        description: str | None = None,
    ) -> RegisteredModel:
        check_model_name(name)
        pairs = dict(check_tag(tag.key, tag.value) for tag in tags)
        check_description(description)

        def work(conn: Connection) -> RegisteredModel:
            if conn.execute(
                select(registered_models.c.name).where(registered_models.c.name == name)
            ).first():
                raise already_exists(name)
            when = now_ms()
            conn.execute(
                insert(registered_models).values(
                    name=name,
                    creation_timestamp=when,
                    last_updated_timestamp=when,
                    description=description,
                    next_version=1,
                )
            )
            if pairs:
                conn.execute(
                    insert(registered_model_tags),
                    [{"name": name, "key": k, "value": v} for k, v in pairs.items()],
                )
            return rows.load_model(conn, name)

        try:
            return self._db.write(work)
        except IntegrityError:  # a concurrent create won the race
            raise already_exists(name) from None

    def get_registered_model(self, name: str) -> RegisteredModel:
        check_model_name(name)
        return self._db.read(lambda conn: rows.load_model(conn, name))

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        check_model_name(name)
        check_description(description)

        def work(conn: Connection) -> RegisteredModel:
            rows.require_model(conn, name)
            conn.execute(
                update(registered_models)
                .where(registered_models.c.name == name)
                .values(description=description, last_updated_timestamp=now_ms())
            )
            return rows.load_model(conn, name)

        return self._db.write(work)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        check_model_name(name)
        check_model_name(new_name, "new_name")

        def work(conn: Connection) -> RegisteredModel:
            rows.require_model(conn, name)
            if (
                new_name != name
                and conn.execute(
                    select(registered_models.c.name).where(registered_models.c.name == new_name)
                ).first()
            ):
                raise already_exists(new_name)
            # Versions, their tags and aliases follow through ON UPDATE CASCADE.
            conn.execute(
                update(registered_models)
                .where(registered_models.c.name == name)
                .values(name=new_name, last_updated_timestamp=now_ms())
            )
            return rows.load_model(conn, new_name)

        try:
            return self._db.write(work)
        except IntegrityError:
            raise already_exists(new_name) from None

    def delete_registered_model(self, name: str) -> None:
        check_model_name(name)

        def work(conn: Connection) -> None:
            rows.require_model(conn, name)
            conn.execute(delete(registered_models).where(registered_models.c.name == name))

        self._db.write(work)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        limit = check_max_results(max_results, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD)
        offset = decode_offset(page_token)
        query = registered_models_query(filter_string, order_by)

        def work(conn: Connection) -> PagedList[RegisteredModel]:
            names = list(conn.execute(query.offset(offset).limit(limit + 1)).scalars())
            more = len(names) > limit
            models = rows.load_models(conn, names[:limit])
            return PagedList(models, next_page_token(offset, limit, more))

        return self._db.read(work)

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        check_model_name(name)
        wanted = [
            ModelVersionStage.parse(stage).value
            for stage in (stages or ALL_STAGES)  # none asked: every stage, as MLflow answers
        ]

        def work(conn: Connection) -> list[ModelVersion]:
            rows.require_model(conn, name)
            keys = rows.latest_version_keys(conn, [name], wanted).get(name, [])
            return rows.load_versions(conn, keys)

        return self._db.read(work)

    # -- tags --------------------------------------------------------------------------------
    def set_registered_model_tag(self, name: str, tag: RegisteredModelTag) -> None:
        check_model_name(name)
        key, value = check_tag(tag.key, tag.value)

        def work(conn: Connection) -> None:
            rows.require_model(conn, name)
            statement = upsert(self._db.dialect, registered_model_tags, ["value"])
            conn.execute(statement.values(name=name, key=key, value=value))

        self._db.write(work)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        check_model_name(name)
        check_tag(key, "")

        def work(conn: Connection) -> None:
            rows.require_model(conn, name)
            conn.execute(
                delete(registered_model_tags).where(
                    registered_model_tags.c.name == name, registered_model_tags.c.key == key
                )
            )

        self._db.write(work)

    # -- aliases -----------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        check_model_name(name)
        check_alias(alias)
        number = parse_version(version)

        def work(conn: Connection) -> None:
            rows.require_version(conn, name, number)
            statement = upsert(self._db.dialect, registered_model_aliases, ["version"])
            conn.execute(statement.values(name=name, alias=alias, version=number))
            touch_model(conn, name)

        self._db.write(work)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        check_model_name(name)
        check_alias(alias)

        def work(conn: Connection) -> None:
            rows.require_model(conn, name)
            conn.execute(
                delete(registered_model_aliases).where(
                    registered_model_aliases.c.name == name,
                    registered_model_aliases.c.alias == alias,
                )
            )

        self._db.write(work)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        check_model_name(name)
        if not alias:
            raise InvalidParameter("Missing value for required parameter 'alias'.")

        def work(conn: Connection) -> ModelVersion:
            rows.require_model(conn, name)
            version = conn.execute(
                select(registered_model_aliases.c.version).where(
                    registered_model_aliases.c.name == name,
                    registered_model_aliases.c.alias == alias,
                )
            ).scalar()
            if version is None:
                raise InvalidParameter(f"Registered model alias {alias} not found.")
            return rows.load_version(conn, name, version)

        return self._db.read(work)
