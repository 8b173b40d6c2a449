"""Reads a database written by MLflow's SQL store, through SQLAlchemy reflection.

mltrail never opens MLflow's schema with its own store (it refuses to); this reader only
SELECTs from the tables MLflow defines, discovered at run time, so it follows small schema
differences between MLflow versions (a missing optional table or column reads as empty).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, inspect, select
from sqlalchemy.engine import make_url

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
)
from mltrail.entities.registry import ModelVersion, RegisteredModel
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.transfer.artifacts import SourceArtifacts

_TABLES = (
    "experiments", "experiment_tags", "runs", "tags", "params", "metrics", "datasets",
    "inputs", "input_tags", "registered_models", "registered_model_tags",
    "registered_model_aliases", "model_versions", "model_version_tags", "logged_models",
    "logged_model_tags", "logged_model_params",
)  # fmt: skip
DELETED_VERSION_STAGE = "Deleted_Internal"
# MLflow's LoggedModelStatus enum numbers.
_LOGGED_MODEL_STATUS = {1: "PENDING", 2: "READY", 3: "UPLOAD_FAILED"}


def _engine(uri: str) -> Engine:
    from mltrail.store.tracking.sql.engine import normalize_url

    return create_engine(normalize_url(make_url(uri)))


def is_mlflow_database(uri: str) -> bool:
    """True when the database has MLflow's run table (keyed by ``run_uuid``)."""
    engine = _engine(uri)
    try:
        inspector = inspect(engine)
        if not inspector.has_table("runs"):
            return False
        return "run_uuid" in {c["name"] for c in inspector.get_columns("runs")}
    finally:
        engine.dispose()


class MlflowSqlSource:
    def __init__(self, uri: str, artifacts: SourceArtifacts | None = None) -> None:
        self.description = make_url(uri).render_as_string(hide_password=True)
        self._engine = _engine(uri)
        meta = MetaData()
        present = set(inspect(self._engine).get_table_names())
        meta.reflect(self._engine, only=[t for t in _TABLES if t in present])
        self._t = meta.tables
        self._artifacts = artifacts or SourceArtifacts()

    def close(self) -> None:
        self._engine.dispose()

    def _rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        found = self._t.get(table)
        if found is None:
            return []
        query = select(found)
        for column, value in where.items():
            query = query.where(found.c[column] == value)
        with self._engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # -- tracking --------------------------------------------------------------------------
    def experiments(self) -> Iterator[Experiment]:
        for row in sorted(self._rows("experiments"), key=lambda r: int(r["experiment_id"])):
            tags = self._rows("experiment_tags", experiment_id=row["experiment_id"])
            yield Experiment(
                experiment_id=str(row["experiment_id"]),
                name=row["name"],
                artifact_location=row["artifact_location"] or "",
                lifecycle_stage=row["lifecycle_stage"] or "active",
                tags={t["key"]: t["value"] or "" for t in tags},
                creation_time=row.get("creation_time"),
                last_update_time=row.get("last_update_time"),
            )

    def runs(self, experiment_id: str) -> Iterator[Run]:
        rows = self._rows("runs", experiment_id=int(experiment_id))
        for row in sorted(rows, key=lambda r: (r["start_time"] or 0, r["run_uuid"])):
            yield self._run(row)

    def _run(self, row: dict[str, Any]) -> Run:
        run_id = row["run_uuid"]
        info = RunInfo(
            run_id=run_id,
            experiment_id=str(row["experiment_id"]),
            run_name=row.get("name") or "",
            user_id=row.get("user_id") or "",
            status=row.get("status") or "FINISHED",
            start_time=row.get("start_time"),
            end_time=row.get("end_time"),
            artifact_uri=row.get("artifact_uri") or "",
            lifecycle_stage=row.get("lifecycle_stage") or "active",
        )
        data = RunData(
            params={p["key"]: p["value"] for p in self._rows("params", run_uuid=run_id)},
            tags={t["key"]: t["value"] or "" for t in self._rows("tags", run_uuid=run_id)},
        )
        return Run(info, data, RunInputs(dataset_inputs=tuple(self._dataset_inputs(run_id))))

    def _dataset_inputs(self, run_id: str) -> Iterator[DatasetInput]:
        links = self._rows("inputs", destination_type="RUN", destination_id=run_id)
        for link in links:
            if link["source_type"] != "DATASET":
                continue
            found = self._rows("datasets", dataset_uuid=link["source_id"])
            if not found:
                continue
            d = found[0]
            dataset = Dataset(
                name=d["name"],
                digest=d["digest"],
                source_type=d["dataset_source_type"],
                source=d["dataset_source"],
                schema=d.get("dataset_schema"),
                profile=d.get("dataset_profile"),
            )
            tags = self._rows("input_tags", input_uuid=link["input_uuid"])
            yield DatasetInput(dataset, tuple(InputTag(t["name"], t["value"]) for t in tags))

    def metric_history(self, run: Run) -> Iterator[Metric]:
        table = self._t["metrics"]
        query = (
            select(table)
            .where(table.c.run_uuid == run.info.run_id)
            .order_by(table.c.key, table.c.step, table.c.timestamp)
        )
        with self._engine.connect() as conn:
            for row in conn.execute(query).mappings():
                value = float("nan") if row["is_nan"] else float(row["value"])
                yield Metric(row["key"], value, int(row["timestamp"]), int(row["step"] or 0))

    def deleted_time(self, run: Run) -> int | None:
        rows = self._rows("runs", run_uuid=run.info.run_id)
        return rows[0].get("deleted_time") if rows else None

    def artifacts(self, artifact_uri: str) -> ArtifactRepository | None:
        return self._artifacts.repository(artifact_uri)

    # -- registry --------------------------------------------------------------------------
    def registered_models(self) -> Iterator[RegisteredModel]:
        for row in sorted(self._rows("registered_models"), key=lambda r: r["name"]):
            name = row["name"]
            tags = self._rows("registered_model_tags", name=name)
            aliases = self._rows("registered_model_aliases", name=name)
            yield RegisteredModel(
                name=name,
                creation_timestamp=row.get("creation_time") or 0,
                last_updated_timestamp=row.get("last_updated_time"),
                description=row.get("description"),
                tags={t["key"]: t["value"] or "" for t in tags},
                aliases={a["alias"]: str(a["version"]) for a in aliases},
            )

    def model_versions(self, name: str) -> list[ModelVersion]:
        rows = [
            r
            for r in self._rows("model_versions", name=name)
            if r.get("current_stage") != DELETED_VERSION_STAGE
        ]
        versions = []
        for row in sorted(rows, key=lambda r: int(r["version"])):
            tags = self._rows("model_version_tags", name=name, version=row["version"])
            versions.append(
                ModelVersion(
                    name=name,
                    version=str(row["version"]),
                    creation_timestamp=row.get("creation_time") or 0,
                    last_updated_timestamp=row.get("last_updated_time"),
                    description=row.get("description"),
                    user_id=row.get("user_id"),
                    current_stage=row.get("current_stage") or "None",
                    source=row.get("source"),
                    run_id=row.get("run_id"),
                    status=row.get("status") or "READY",
                    status_message=row.get("status_message"),
                    tags={t["key"]: t["value"] or "" for t in tags},
                    run_link=row.get("run_link"),
                    model_id=_model_id_of(row.get("source")),
                )
            )
        return versions

    def logged_model(self, model_id: str) -> LoggedModel | None:
        rows = self._rows("logged_models", model_id=model_id)
        if not rows:
            return None
        row = rows[0]
        tags = self._rows("logged_model_tags", model_id=model_id)
        params = self._rows("logged_model_params", model_id=model_id)
        return LoggedModel(
            model_id=model_id,
            experiment_id=str(row["experiment_id"]),
            name=row["name"],
            artifact_location=row["artifact_location"],
            creation_timestamp=row["creation_timestamp_ms"],
            last_updated_timestamp=row["last_updated_timestamp_ms"],
            status=_LOGGED_MODEL_STATUS.get(int(row["status"] or 0), "PENDING"),
            model_type=row.get("model_type"),
            source_run_id=row.get("source_run_id"),
            status_message=row.get("status_message"),
            tags={t["tag_key"]: t["tag_value"] for t in tags},
            params={p["param_key"]: p["param_value"] for p in params},
        )


def _model_id_of(source: str | None) -> str | None:
    """The logged model a version's ``models:/m-...`` source names."""
    prefix = "models:/"
    if source and source.startswith(prefix) and source[len(prefix) :].startswith("m-"):
        return source[len(prefix) :].strip("/")
    return None
