"""Model versions in SQL: register, read, describe, move between stages, delete, search, tags."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, update

from mltrail._time import now_ms
from mltrail.entities import PagedList
from mltrail.entities.registry import (
    ARCHIVING_STAGES,
    STAGE_ARCHIVED,
    STAGE_NONE,
    ModelVersion,
    ModelVersionStage,
    ModelVersionStatus,
    ModelVersionTag,
    RegisteredModelTag,
)
from mltrail.errors import AlreadyExists, InvalidParameter
from mltrail.store.registry.sql import rows
from mltrail.store.registry.sql.models import touch_model
from mltrail.store.registry.sql.schema import (
    model_version_tags,
    model_versions,
    registered_models,
)
from mltrail.store.registry.sql.search import model_versions_query
from mltrail.store.registry.sql.sources import SourceRules, resolve_download_uri
from mltrail.store.registry.validation import (
    SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
    SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
    check_description,
    check_model_name,
    check_tag,
    parse_version,
)
from mltrail.store.tracking.page_token import decode_offset, next_page_token
from mltrail.store.tracking.sql.engine import Database, upsert
from mltrail.store.tracking.validation import check_max_results


class ModelVersionsMixin:
    _db: Database
    _sources: SourceRules

    if TYPE_CHECKING:  # provided by RegisteredModelsMixin

        def create_registered_model(
            self,
            name: str,
            tags: Sequence[RegisteredModelTag] = (),
            description: str | None = None,
        ) -> object: ...

    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Sequence[ModelVersionTag] = (),
        run_link: str | None = None,
        description: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        check_model_name(name)
        pairs = dict(check_tag(tag.key, tag.value) for tag in tags)
        check_description(description)

        def work(conn: Connection) -> ModelVersion:
            model = rows.require_model(conn, name, lock=True)
            checked = self._sources.check(conn, source, run_id, model_id)
            number = model.next_version
            when = now_ms()
            conn.execute(
                update(registered_models)
                .where(registered_models.c.name == name)
                .values(next_version=number + 1, last_updated_timestamp=when)
            )
            conn.execute(
                insert(model_versions).values(
                    name=name,
                    version=number,
                    creation_timestamp=when,
                    last_updated_timestamp=when,
                    description=description,
                    current_stage=STAGE_NONE,
                    source=checked,
                    run_id=run_id or None,
                    run_link=run_link or None,
                    status=ModelVersionStatus.READY.value,
                    model_id=model_id or None,
                )
            )
            if pairs:
                conn.execute(
                    insert(model_version_tags),
                    [
                        {"name": name, "version": number, "key": k, "value": v}
                        for k, v in pairs.items()
                    ],
                )
            return rows.load_version(conn, name, number)

        return self._db.write(work)

    def get_model_version(self, name: str, version: str) -> ModelVersion:
        check_model_name(name)
        number = parse_version(version)
        return self._db.read(lambda conn: rows.load_version(conn, name, number))

    def update_model_version(
        self, name: str, version: str, description: str | None
    ) -> ModelVersion:
        check_model_name(name)
        number = parse_version(version)
        check_description(description)

        def work(conn: Connection) -> ModelVersion:
            rows.require_version(conn, name, number)
            self._update_version(conn, name, number, description=description)
            return rows.load_version(conn, name, number)

        return self._db.write(work)

    def transition_model_version_stage(
        self, name: str, version: str, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        check_model_name(name)
        number = parse_version(version)
        target = ModelVersionStage.parse(stage).value
        if archive_existing_versions and target not in ARCHIVING_STAGES:
            raise InvalidParameter(
                "Model version transition cannot archive existing model versions because "
                f"'{stage}' is not an Active stage. Valid stages are {list(ARCHIVING_STAGES)}"
            )

        def work(conn: Connection) -> ModelVersion:
            rows.require_version(conn, name, number)
            when = now_ms()
            if archive_existing_versions:
                conn.execute(
                    update(model_versions)
                    .where(
                        model_versions.c.name == name,
                        model_versions.c.current_stage == target,
                        model_versions.c.version != number,
                    )
                    .values(current_stage=STAGE_ARCHIVED, last_updated_timestamp=when)
                )
            self._update_version(conn, name, number, when, current_stage=target)
            return rows.load_version(conn, name, number)

        return self._db.write(work)

    def delete_model_version(self, name: str, version: str) -> None:
        check_model_name(name)
        number = parse_version(version)

        def work(conn: Connection) -> None:
            rows.require_version(conn, name, number)
            # Tags and aliases go with it (ON DELETE CASCADE).
            conn.execute(
                delete(model_versions).where(
                    model_versions.c.name == name, model_versions.c.version == number
                )
            )
            touch_model(conn, name)

        self._db.write(work)

    def get_model_version_download_uri(self, name: str, version: str) -> str:
        check_model_name(name)
        number = parse_version(version)
        return self._db.read(lambda conn: resolve_download_uri(conn, name, number))

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        limit = check_max_results(max_results, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD)
        offset = decode_offset(page_token)
        query = model_versions_query(filter_string, order_by)

        def work(conn: Connection) -> PagedList[ModelVersion]:
            found = conn.execute(query.offset(offset).limit(limit + 1)).all()
            keys = [(row.name, row.version) for row in found[:limit]]
            return PagedList(
                rows.load_versions(conn, keys), next_page_token(offset, limit, len(found) > limit)
            )

        return self._db.read(work)

    # -- tags --------------------------------------------------------------------------------
    def set_model_version_tag(self, name: str, version: str, tag: ModelVersionTag) -> None:
        check_model_name(name)
        number = parse_version(version)
        key, value = check_tag(tag.key, tag.value)

        def work(conn: Connection) -> None:
            rows.require_version(conn, name, number)
            statement = upsert(self._db.dialect, model_version_tags, ["value"])
            conn.execute(statement.values(name=name, version=number, key=key, value=value))

        self._db.write(work)

    def delete_model_version_tag(self, name: str, version: str, key: str) -> None:
        check_model_name(name)
        number = parse_version(version)
        check_tag(key, "")

        def work(conn: Connection) -> None:
            rows.require_version(conn, name, number)
            tags = model_version_tags.c
            conn.execute(
                delete(model_version_tags).where(
                    tags.name == name, tags.version == number, tags.key == key
                )
            )

        self._db.write(work)

    def copy_model_version(self, src_mv: ModelVersion, dst_name: str) -> ModelVersion:
        check_model_name(dst_name)
        with contextlib.suppress(AlreadyExists):  # copying into an existing model is fine
            self.create_registered_model(dst_name)
        return self.create_model_version(
            dst_name,
            f"models:/{src_mv.name}/{src_mv.version}",
            src_mv.run_id,
            [ModelVersionTag(k, v) for k, v in src_mv.tags.items()],
            src_mv.run_link,
            src_mv.description,
            src_mv.model_id,
        )

    def _update_version(
        self, conn: Connection, name: str, number: int, when: int | None = None, **values: object
    ) -> None:
        conn.execute(
            update(model_versions)
            .where(model_versions.c.name == name, model_versions.c.version == number)
            .values(last_updated_timestamp=now_ms() if when is None else when, **values)
        )
