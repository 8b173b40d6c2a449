"""Copying the model registry: models (tags, description, aliases), their versions (numbers
kept, tags, stage, description) and the MLflow 3 logged models that versions point at.

Version numbers are kept by creating versions in order; a number the source deleted is
created and deleted again, because a registry never reuses a number. A version already at
the destination is skipped, so re-running only adds what is new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mltrail.entities.registry import (
    ModelVersion,
    ModelVersionTag,
    RegisteredModel,
    RegisteredModelTag,
)
from mltrail.errors import MltrailError
from mltrail.transfer.artifacts import copy_tree

if TYPE_CHECKING:
    from mltrail.transfer.copier import Copier

STAGE_NONE = "None"
_MODELS_PREFIX = "models:/"
_RUNS_PREFIX = "runs:/"


def logged_model_id_of(source: str | None) -> str | None:
    """The logged model that a ``models:/m-...`` source names."""
    if source and source.startswith(_MODELS_PREFIX):
        rest = source[len(_MODELS_PREFIX) :].strip("/")
        if rest.startswith("m-") and "/" not in rest:
            return rest
    return None


def copy_registry(copier: Copier) -> None:
    for model in copier.source.registered_models():
        copier.summary.models += 1
        versions = copier.source.model_versions(model.name)
        if copier.options.dry_run:
            existing = _existing_versions(copier, model.name)
            todo = [v for v in versions if v.version not in existing]
            copier.summary.versions_copied += len(todo)
            copier.summary.versions_skipped += len(versions) - len(todo)
            continue
        _ModelCopy(copier, model).run(versions)


def _existing_versions(copier: Copier, name: str) -> set[str]:
    registry = copier.dest.registry
    try:
        registry.get_registered_model(name)
    except MltrailError:
        return set()
    escaped = name.replace("'", "\\'")
    found = registry.search_model_versions(f"name = '{escaped}'", max_results=10_000)
    return {v.version for v in found}


class _ModelCopy:
    def __init__(self, copier: Copier, model: RegisteredModel) -> None:
        self.copier = copier
        self.model = model
        self.registry = copier.dest.registry

    def run(self, versions: list[ModelVersion]) -> None:
        name = self.model.name
        existing = _existing_versions(self.copier, name)
        if not existing and not self._model_exists():
            tags = [RegisteredModelTag(k, v) for k, v in self.model.tags.items()]
            self.registry.create_registered_model(name, tags, self.model.description)
        else:
            for key, value in self.model.tags.items():
                self.registry.set_registered_model_tag(name, RegisteredModelTag(key, value))
        for version in versions:
            if version.version in existing:
                self.copier.summary.versions_skipped += 1
                continue
            self._copy_version(version)
            self.copier.summary.versions_copied += 1
        for alias, number in self.model.aliases.items():
            self.registry.set_registered_model_alias(name, alias, number)
        self.copier.dest.keep_registry_times(
            name, None, self.model.creation_timestamp, self.model.last_updated_timestamp
        )

    def _model_exists(self) -> bool:
        try:
            self.registry.get_registered_model(self.model.name)
        except MltrailError:
            return False
        return True

    def _copy_version(self, version: ModelVersion) -> None:
        name, wanted = version.name, int(version.version)
        run_id = self._run_id(version.run_id)
        source, model_id = self._source(version, run_id)
        tags = [ModelVersionTag(k, v) for k, v in version.tags.items()]
        while True:
            created = self.registry.create_model_version(
                name, source, run_id, tags, version.run_link, version.description, model_id
            )
            if int(created.version) >= wanted:
                break
            # The source deleted this number; take it and give it back, as it did.
            self.registry.delete_model_version(name, created.version)
        if int(created.version) != wanted:
            self.copier.summary.warnings.append(
                f"{name} version {wanted} was registered as version {created.version}"
            )
        if version.current_stage and version.current_stage != STAGE_NONE:
            self.registry.transition_model_version_stage(
                name, created.version, version.current_stage
            )
        self.copier.dest.keep_registry_times(
            name, created.version, version.creation_timestamp, version.last_updated_timestamp
        )

    def _run_id(self, source_run_id: str | None) -> str | None:
        if not source_run_id:
            return None
        return self.copier.ledger.run(source_run_id) or source_run_id

    def _source(self, version: ModelVersion, run_id: str | None) -> tuple[str, str | None]:
        """The version's source rewritten to the copied run or logged model."""
        source = version.source or ""
        logged = version.model_id or logged_model_id_of(source)
        if logged:
            new_id = self._copy_logged_model(logged)
            if new_id is not None:
                return (
                    f"{_MODELS_PREFIX}{new_id}" if logged_model_id_of(source) else source
                ), new_id
        if source.startswith(_RUNS_PREFIX) and version.run_id and run_id:
            return source.replace(version.run_id, run_id, 1), None
        old_root = self.copier.run_artifacts.get(version.run_id or "")
        if old_root and run_id and source.startswith(old_root):
            return self.copier.dest.artifact_uri(run_id) + source[len(old_root) :], None
        return source, None

    def _copy_logged_model(self, model_id: str) -> str | None:
        """Copy a logged model (metadata and files); returns its destination id."""
        copier = self.copier
        found = copier.source.logged_model(model_id)
        create = getattr(copier.dest.tracking, "create_logged_model", None)
        if found is None or create is None:
            return None
        from mltrail.entities import LoggedModelParameter, LoggedModelTag

        experiment_id = copier.ledger.experiment(found.experiment_id)
        if experiment_id is None:
            return None
        source_run = self._run_id(found.source_run_id)
        created = create(
            experiment_id,
            found.name,
            source_run,
            [LoggedModelTag(k, v) for k, v in found.tags.items()],
            [LoggedModelParameter(k, v) for k, v in found.params.items()],
            found.model_type,
        )
        files = copier.source.artifacts(found.artifact_location)
        if files is not None and copier.options.artifacts:
            copied = copy_tree(files, copier.dest.artifacts(created.artifact_location))
            copier.summary.artifact_files += copied.files
            copier.summary.artifact_bytes += copied.bytes
        copier.dest.tracking.finalize_logged_model(created.model_id, str(found.status))  # type: ignore[attr-defined]
        return str(created.model_id)
