"""Reads MLflow's legacy file store (a ``./mlruns`` folder).

Layout, as MLflow writes it: ``<exp id>/meta.yaml`` per experiment (deleted ones under
``.trash/``), ``<exp id>/<run id>/{meta.yaml,params/,tags/,metrics/,inputs/}`` per run, where
keys containing ``/`` are nested folders and a metric file holds ``timestamp value step``
lines; ``<exp id>/datasets/<id>/meta.yaml``, ``<exp id>/models/<model id>/`` for logged models,
and the registry under ``models/<name>/`` with ``version-<n>/`` folders.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from mltrail.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    InputTag,
    LoggedModel,
    Metric,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunStatus,
)
from mltrail.entities.registry import ModelVersion, RegisteredModel
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.transfer.artifacts import SourceArtifacts
from mltrail.transfer.mlflow_sql import DELETED_VERSION_STAGE

_LOGGED_MODEL_STATUS = {1: "PENDING", 2: "READY", 3: "UPLOAD_FAILED"}
_NOT_EXPERIMENTS = {".trash", "models"}


def _meta(folder: Path) -> dict[str, Any]:
    data = yaml.safe_load((folder / "meta.yaml").read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _key_files(folder: Path) -> dict[str, str]:
    """`key -> file content` for a params/ or tags/ folder; nested folders are `/` in keys."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


class MlflowFileSource:
    def __init__(self, root: Path, artifacts: SourceArtifacts | None = None) -> None:
        self.root = root.resolve()
        self.description = str(self.root)
        self._artifacts = artifacts or SourceArtifacts()
        self._experiment_dirs: dict[str, Path] = {}

    def close(self) -> None:
        pass

    # -- tracking --------------------------------------------------------------------------
    def experiments(self) -> Iterator[Experiment]:
        folders = [p for p in self.root.iterdir() if p.name not in _NOT_EXPERIMENTS]
        trash = self.root / ".trash"
        folders += list(trash.iterdir()) if trash.is_dir() else []
        found = []
        for folder in folders:
            if not (folder / "meta.yaml").is_file():
                continue
            meta = _meta(folder)
            experiment_id = str(meta["experiment_id"])
            self._experiment_dirs[experiment_id] = folder
            found.append(
                Experiment(
                    experiment_id=experiment_id,
                    name=meta["name"],
                    artifact_location=meta.get("artifact_location") or "",
                    lifecycle_stage=meta.get("lifecycle_stage") or "active",
                    tags=_key_files(folder / "tags"),
                    creation_time=_int(meta.get("creation_time")),
                    last_update_time=_int(meta.get("last_update_time")),
                )
            )
        # Creation order, so the default experiment and older ones come first.
        yield from sorted(found, key=lambda e: (e.creation_time or 0, e.experiment_id))

    def runs(self, experiment_id: str) -> Iterator[Run]:
        folder = self._experiment_dirs[experiment_id]
        runs = [self._run(p) for p in folder.iterdir() if (p / "meta.yaml").is_file()]
        yield from sorted(runs, key=lambda r: (r.info.start_time or 0, r.info.run_id))

    def _run(self, folder: Path) -> Run:
        meta = _meta(folder)
        status = meta.get("status", RunStatus.FINISHED.value)
        info = RunInfo(
            run_id=meta["run_id"],
            experiment_id=str(meta["experiment_id"]),
            run_name=meta.get("run_name") or "",
            user_id=meta.get("user_id") or "",
            status=RunStatus.to_string(status),
            start_time=_int(meta.get("start_time")),
            end_time=_int(meta.get("end_time")),
            artifact_uri=meta.get("artifact_uri") or "",
            lifecycle_stage=meta.get("lifecycle_stage") or "active",
        )
        data = RunData(params=_key_files(folder / "params"), tags=_key_files(folder / "tags"))
        inputs = RunInputs(dataset_inputs=tuple(self._dataset_inputs(folder)))
        return Run(info, data, inputs)

    def _dataset_inputs(self, run_folder: Path) -> Iterator[DatasetInput]:
        inputs = run_folder / "inputs"
        if not inputs.is_dir():
            return
        datasets = run_folder.parent / "datasets"
        for link_folder in sorted(inputs.iterdir()):
            link = _meta(link_folder)
            if link.get("source_type") != "DATASET":
                continue
            dataset_folder = datasets / str(link["source_id"])
            if not (dataset_folder / "meta.yaml").is_file():
                continue
            d = _meta(dataset_folder)
            dataset = Dataset(
                name=d["name"],
                digest=d["digest"],
                source_type=d["source_type"],
                source=d["source"],
                schema=d.get("schema"),
                profile=d.get("profile"),
            )
            tags = tuple(InputTag(k, str(v)) for k, v in (link.get("tags") or {}).items())
            yield DatasetInput(dataset, tags)

    def _run_folder(self, run: Run) -> Path:
        return self._experiment_dirs[run.info.experiment_id] / run.info.run_id

    def metric_history(self, run: Run) -> Iterator[Metric]:
        metrics = self._run_folder(run) / "metrics"
        if not metrics.is_dir():
            return
        for path in sorted(p for p in metrics.rglob("*") if p.is_file()):
            key = path.relative_to(metrics).as_posix()
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) >= 2:
                    step = int(parts[2]) if len(parts) > 2 else 0
                    yield Metric(key, float(parts[1]), int(parts[0]), step)

    def deleted_time(self, run: Run) -> int | None:
        return _int(_meta(self._run_folder(run)).get("deleted_time"))

    def artifacts(self, artifact_uri: str) -> ArtifactRepository | None:
        return self._artifacts.repository(artifact_uri)

    # -- registry --------------------------------------------------------------------------
    def _model_folders(self) -> list[Path]:
        models = self.root / "models"
        if not models.is_dir():
            return []
        return sorted(p for p in models.iterdir() if (p / "meta.yaml").is_file())

    def registered_models(self) -> Iterator[RegisteredModel]:
        for folder in self._model_folders():
            meta = _meta(folder)
            aliases = {str(k): str(v) for k, v in (meta.get("aliases") or {}).items()}
            aliases |= _key_files(folder / "aliases")
            yield RegisteredModel(
                name=meta["name"],
                creation_timestamp=_int(meta.get("creation_timestamp")) or 0,
                last_updated_timestamp=_int(meta.get("last_updated_timestamp")),
                description=meta.get("description"),
                tags=_key_files(folder / "tags"),
                aliases=aliases,
            )

    def model_versions(self, name: str) -> list[ModelVersion]:
        folder = next((f for f in self._model_folders() if _meta(f)["name"] == name), None)
        if folder is None:
            return []
        versions = []
        for version_folder in folder.glob("version-*"):
            meta = _meta(version_folder)
            if meta.get("current_stage") == DELETED_VERSION_STAGE:
                continue
            versions.append(
                ModelVersion(
                    name=name,
                    version=str(meta["version"]),
                    creation_timestamp=_int(meta.get("creation_timestamp")) or 0,
                    last_updated_timestamp=_int(meta.get("last_updated_timestamp")),
                    description=meta.get("description"),
                    user_id=meta.get("user_id"),
                    current_stage=meta.get("current_stage") or "None",
                    source=meta.get("source"),
                    run_id=meta.get("run_id"),
                    status=meta.get("status") or "READY",
                    status_message=meta.get("status_message"),
                    tags=_key_files(version_folder / "tags"),
                    run_link=meta.get("run_link"),
                    model_id=meta.get("model_id"),
                )
            )
        return sorted(versions, key=lambda v: int(v.version))

    def logged_model(self, model_id: str) -> LoggedModel | None:
        for experiment_folder in self._experiment_dirs.values():
            folder = experiment_folder / "models" / model_id
            if (folder / "meta.yaml").is_file():
                meta = _meta(folder)
                return LoggedModel(
                    model_id=model_id,
                    experiment_id=str(meta["experiment_id"]),
                    name=meta["name"],
                    artifact_location=meta["artifact_location"],
                    creation_timestamp=int(meta["creation_timestamp"]),
                    last_updated_timestamp=int(meta["last_updated_timestamp"]),
                    status=_LOGGED_MODEL_STATUS.get(int(meta.get("status") or 0), "PENDING"),
                    model_type=meta.get("model_type"),
                    source_run_id=meta.get("source_run_id"),
                    status_message=meta.get("status_message"),
                    tags=_key_files(folder / "tags"),
                    params=_key_files(folder / "params"),
                )
        return None
