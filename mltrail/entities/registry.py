"""Model registry entities: registered models, their versions, tags, aliases and stages."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from mltrail.errors import InvalidParameter


class ModelVersionStatus(enum.StrEnum):
    PENDING_REGISTRATION = "PENDING_REGISTRATION"
    FAILED_REGISTRATION = "FAILED_REGISTRATION"
    READY = "READY"

    @classmethod
    def to_string(cls, status: ModelVersionStatus | str) -> str:
        return cls(status).value

    @staticmethod
    def all_status() -> list[str]:
        return [s.value for s in ModelVersionStatus]


class ModelVersionStage(enum.StrEnum):
    """The (deprecated but still working) lifecycle stages of a model version."""

    NONE = "None"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"

    @classmethod
    def parse(cls, stage: str) -> ModelVersionStage:
        """Case-insensitive input ("production" -> Production); anything else is refused."""
        for member in cls:
            if member.value.lower() == str(stage).strip().lower():
                return member
        raise InvalidParameter(
            f"Invalid Model Version stage: {stage}. Value must be one of {', '.join(ALL_STAGES)}."
        )


STAGE_NONE = ModelVersionStage.NONE.value
STAGE_STAGING = ModelVersionStage.STAGING.value
STAGE_PRODUCTION = ModelVersionStage.PRODUCTION.value
STAGE_ARCHIVED = ModelVersionStage.ARCHIVED.value
ALL_STAGES = (STAGE_NONE, STAGE_STAGING, STAGE_PRODUCTION, STAGE_ARCHIVED)
DEFAULT_STAGES_FOR_GET_LATEST_VERSIONS = (STAGE_STAGING, STAGE_PRODUCTION)
# Only these targets may archive the versions already in them.
ARCHIVING_STAGES = (STAGE_STAGING, STAGE_PRODUCTION)


@dataclass(frozen=True, slots=True)
class RegisteredModelTag:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class ModelVersionTag:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class RegisteredModelAlias:
    alias: str
    version: str


@dataclass(frozen=True, slots=True)
class ModelVersion:
    name: str
    version: str
    creation_timestamp: int
    last_updated_timestamp: int | None = None
    description: str | None = None
    user_id: str | None = None
    current_stage: str = STAGE_NONE
    source: str | None = None
    run_id: str | None = None
    status: str = ModelVersionStatus.READY
    status_message: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    run_link: str | None = None
    aliases: list[str] = field(default_factory=list)
    model_id: str | None = None


@dataclass(frozen=True, slots=True)
class RegisteredModel:
    name: str
    creation_timestamp: int
    last_updated_timestamp: int | None = None
    description: str | None = None
    latest_versions: list[ModelVersion] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> version
    user_id: str | None = None
