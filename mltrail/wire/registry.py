"""The model registry on MLflow's wire: entity codecs and one request message per endpoint.

Field names and types are MLflow's (``model_registry.proto``); versions travel as strings.
``*_to_dict`` serve the server, ``*_from_dict`` the REST client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mltrail.entities.registry import (
    ModelVersion,
    ModelVersionTag,
    RegisteredModel,
    RegisteredModelTag,
)
from mltrail.wire.codecs import _compact, _pairs_from, key_values
from mltrail.wire.requests import check_max_results

Json = dict[str, Any]

SEARCH_REGISTERED_MODELS_DEFAULT = 100
SEARCH_REGISTERED_MODELS_THRESHOLD = 1000
SEARCH_MODEL_VERSIONS_DEFAULT = 10_000
SEARCH_MODEL_VERSIONS_THRESHOLD = 200_000


# --- entities <-> JSON -----------------------------------------------------------------------


def model_version_to_dict(version: ModelVersion) -> Json:
    return _compact(
        {
            "name": version.name,
            "version": version.version,
            "creation_timestamp": version.creation_timestamp,
            "last_updated_timestamp": version.last_updated_timestamp,
            "user_id": version.user_id,
            "current_stage": version.current_stage,
            "description": version.description,
            "source": version.source,
            "run_id": version.run_id,
            "status": str(version.status),
            "status_message": version.status_message,
            "tags": key_values(version.tags),
            "run_link": version.run_link,
            "aliases": list(version.aliases),
            "model_id": version.model_id,
        }
    )


def registered_model_to_dict(model: RegisteredModel) -> Json:
    return _compact(
        {
            "name": model.name,
            "creation_timestamp": model.creation_timestamp,
            "last_updated_timestamp": model.last_updated_timestamp,
            "user_id": model.user_id,
            "description": model.description,
            "latest_versions": [model_version_to_dict(v) for v in model.latest_versions],
            "tags": key_values(model.tags),
            "aliases": [{"alias": a, "version": v} for a, v in model.aliases.items()],
        }
    )


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def model_version_from_dict(d: Mapping[str, Any]) -> ModelVersion:
    return ModelVersion(
        name=d.get("name", ""),
        version=str(d.get("version", "")),
        creation_timestamp=_int(d.get("creation_timestamp")) or 0,
        last_updated_timestamp=_int(d.get("last_updated_timestamp")),
        description=d.get("description"),
        user_id=d.get("user_id"),
        current_stage=d.get("current_stage", "None"),
        source=d.get("source"),
        run_id=d.get("run_id") or None,
        status=d.get("status", "READY"),
        status_message=d.get("status_message"),
        tags=_pairs_from(d.get("tags")),
        run_link=d.get("run_link") or None,
        aliases=list(d.get("aliases") or ()),
        model_id=d.get("model_id") or None,
    )


def registered_model_from_dict(d: Mapping[str, Any]) -> RegisteredModel:
    return RegisteredModel(
        name=d.get("name", ""),
        creation_timestamp=_int(d.get("creation_timestamp")) or 0,
        last_updated_timestamp=_int(d.get("last_updated_timestamp")),
        description=d.get("description"),
        latest_versions=[model_version_from_dict(v) for v in d.get("latest_versions") or ()],
        tags=_pairs_from(d.get("tags")),
        aliases={a["alias"]: str(a["version"]) for a in d.get("aliases") or ()},
        user_id=d.get("user_id"),
    )


# --- request messages ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelName:
    """get and delete."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRegisteredModel(ModelName):
    tags: tuple[RegisteredModelTag, ...] = ()
    description: str | None = None
    deployment_job_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameRegisteredModel(ModelName):
    new_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateRegisteredModel(ModelName):
    description: str | None = None
    deployment_job_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Search:
    filter: str | None = None
    max_results: int | None = None
    order_by: tuple[str, ...] = ()
    page_token: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchRegisteredModels(Search):
    def __post_init__(self) -> None:
        if self.max_results is not None:
            check_max_results(self.max_results, SEARCH_REGISTERED_MODELS_THRESHOLD)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchModelVersions(Search):
    def __post_init__(self) -> None:
        if self.max_results is not None:
            check_max_results(self.max_results, SEARCH_MODEL_VERSIONS_THRESHOLD)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetLatestVersions(ModelName):
    stages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRegisteredModelTag(ModelName):
    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteRegisteredModelTag(ModelName):
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetAlias(ModelName):
    alias: str
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasRef(ModelName):
    """delete alias, get version by alias."""

    alias: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateModelVersion(ModelName):
    source: str
    run_id: str | None = None
    tags: tuple[ModelVersionTag, ...] = ()
    run_link: str | None = None
    description: str | None = None
    model_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelVersionRef(ModelName):
    """get, delete, get-download-uri."""

    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateModelVersion(ModelVersionRef):
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TransitionStage(ModelVersionRef):
    stage: str
    archive_existing_versions: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SetModelVersionTag(ModelVersionRef):
    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteModelVersionTag(ModelVersionRef):
    key: str
