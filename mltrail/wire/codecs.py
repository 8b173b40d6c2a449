"""Entities to MLflow's proto-JSON dicts and back.

Rules of the wire: snake_case names, int64 as JSON numbers, unset (None) fields omitted but
empty strings kept, empty lists omitted, non-finite doubles as "NaN"/"Infinity" strings.
``to_*`` functions serve the server; ``*_from_dict`` the REST client.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from mltrail.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    FileInfo,
    InputTag,
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelStatus,
    Metric,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunOutputs,
)
from mltrail.wire.json import decode_double, encode_double

Json = dict[str, Any]

LOGGED_MODEL_STATUS_PREFIX = "LOGGED_MODEL_"


def _compact(fields: Mapping[str, Any]) -> Json:
    """Drop unset fields and empty lists/objects, as proto-JSON does."""
    return {k: v for k, v in fields.items() if v is not None and v != [] and v != {}}


def key_values(pairs: Mapping[str, str]) -> list[Json]:
    return [{"key": k, "value": v} for k, v in pairs.items()]


def _pairs_from(items: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    return {item["key"]: item.get("value", "") for item in items or ()}


# --- entities -> JSON ----------------------------------------------------------------------


def experiment_to_dict(experiment: Experiment) -> Json:
    return _compact(
        {
            "experiment_id": experiment.experiment_id,
            "name": experiment.name,
            "artifact_location": experiment.artifact_location,
            "lifecycle_stage": str(experiment.lifecycle_stage),
            "last_update_time": experiment.last_update_time,
            "creation_time": experiment.creation_time,
            "tags": key_values(experiment.tags),
        }
    )


def metric_to_dict(metric: Metric, *, with_run_id: bool = True) -> Json:
    return _compact(
        {
            "key": metric.key,
            "value": encode_double(metric.value),
            "timestamp": metric.timestamp,
            "step": metric.step,
            "dataset_name": metric.dataset_name,
            "dataset_digest": metric.dataset_digest,
            "model_id": metric.model_id,
            "run_id": metric.run_id if with_run_id else None,
        }
    )


def run_info_to_dict(info: RunInfo) -> Json:
    return _compact(
        {
            "run_uuid": info.run_id,
            "experiment_id": info.experiment_id,
            "run_name": info.run_name,
            "user_id": info.user_id,
            "status": str(info.status),
            "start_time": info.start_time,
            "end_time": info.end_time,
            "artifact_uri": info.artifact_uri,
            "lifecycle_stage": str(info.lifecycle_stage),
            "run_id": info.run_id,
        }
    )


def dataset_to_dict(dataset: Dataset) -> Json:
    return _compact(
        {
            "name": dataset.name,
            "digest": dataset.digest,
            "source_type": dataset.source_type,
            "source": dataset.source,
            "schema": dataset.schema,
            "profile": dataset.profile,
        }
    )


def run_to_dict(run: Run) -> Json:
    data = run.data
    inputs = run.inputs
    return {
        "info": run_info_to_dict(run.info),
        "data": _compact(
            {
                "metrics": [metric_to_dict(m, with_run_id=False) for m in data.latest_metrics],
                "params": key_values(data.params),
                "tags": key_values(data.tags),
            }
        ),
        "inputs": _compact(
            {
                "dataset_inputs": [
                    _compact(
                        {
                            "tags": [{"key": t.key, "value": t.value} for t in d.tags],
                            "dataset": dataset_to_dict(d.dataset),
                        }
                    )
                    for d in inputs.dataset_inputs
                ],
                "model_inputs": [{"model_id": m.model_id} for m in inputs.model_inputs],
            }
        ),
        "outputs": _compact(
            {
                "model_outputs": [
                    {"model_id": m.model_id, "step": m.step} for m in run.outputs.model_outputs
                ]
            }
        ),
    }


def logged_model_to_dict(model: LoggedModel) -> Json:
    info = _compact(
        {
            "model_id": model.model_id,
            "experiment_id": model.experiment_id,
            "name": model.name,
            "creation_timestamp_ms": model.creation_timestamp,
            "last_updated_timestamp_ms": model.last_updated_timestamp,
            "artifact_uri": model.artifact_location,
            "status": LOGGED_MODEL_STATUS_PREFIX + str(model.status),
            "model_type": model.model_type,
            "source_run_id": model.source_run_id,
            "status_message": model.status_message,
            "tags": key_values(model.tags),
        }
    )
    data = _compact(
        {
            "params": key_values(model.params),
            "metrics": [metric_to_dict(m) for m in model.metrics],
        }
    )
    return {"info": info, "data": data}


def file_info_to_dict(info: FileInfo) -> Json:
    return _compact({"path": info.path, "is_dir": info.is_dir, "file_size": info.file_size})


# --- JSON -> entities (the REST client) ----------------------------------------------------


def experiment_from_dict(d: Mapping[str, Any]) -> Experiment:
    return Experiment(
        experiment_id=d["experiment_id"],
        name=d["name"],
        artifact_location=d.get("artifact_location", ""),
        lifecycle_stage=d.get("lifecycle_stage", "active"),
        tags=_pairs_from(d.get("tags")),
        creation_time=d.get("creation_time"),
        last_update_time=d.get("last_update_time"),
    )


def metric_from_dict(d: Mapping[str, Any], run_id: str | None = None) -> Metric:
    value = decode_double(d.get("value", 0.0))
    return Metric(
        key=d["key"],
        value=math.nan if value is None else value,
        timestamp=int(d.get("timestamp", 0)),
        step=int(d.get("step", 0)),
        model_id=d.get("model_id"),
        dataset_name=d.get("dataset_name"),
        dataset_digest=d.get("dataset_digest"),
        run_id=d.get("run_id", run_id),
    )


def run_info_from_dict(d: Mapping[str, Any]) -> RunInfo:
    return RunInfo(
        run_id=d.get("run_id") or d["run_uuid"],
        experiment_id=d["experiment_id"],
        run_name=d.get("run_name", ""),
        user_id=d.get("user_id", ""),
        status=d.get("status", "RUNNING"),
        start_time=d.get("start_time"),
        end_time=d.get("end_time"),
        artifact_uri=d.get("artifact_uri", ""),
        lifecycle_stage=d.get("lifecycle_stage", "active"),
    )


def dataset_from_dict(d: Mapping[str, Any]) -> Dataset:
    return Dataset(
        name=d["name"],
        digest=d["digest"],
        source_type=d.get("source_type", ""),
        source=d.get("source", ""),
        schema=d.get("schema"),
        profile=d.get("profile"),
    )


def run_from_dict(d: Mapping[str, Any]) -> Run:
    info = run_info_from_dict(d["info"])
    data = d.get("data", {})
    inputs = d.get("inputs", {})
    outputs = d.get("outputs", {})
    return Run(
        info=info,
        data=RunData(
            latest_metrics=tuple(metric_from_dict(m) for m in data.get("metrics", ())),
            params=_pairs_from(data.get("params")),
            tags=_pairs_from(data.get("tags")),
        ),
        inputs=RunInputs(
            dataset_inputs=tuple(
                DatasetInput(
                    dataset=dataset_from_dict(di["dataset"]),
                    tags=tuple(InputTag(t["key"], t.get("value", "")) for t in di.get("tags", ())),
                )
                for di in inputs.get("dataset_inputs", ())
            ),
            model_inputs=tuple(
                LoggedModelInput(m["model_id"]) for m in inputs.get("model_inputs", ())
            ),
        ),
        outputs=RunOutputs(
            model_outputs=tuple(
                LoggedModelOutput(m["model_id"], int(m.get("step", 0)))
                for m in outputs.get("model_outputs", ())
            )
        ),
    )


def logged_model_from_dict(d: Mapping[str, Any]) -> LoggedModel:
    info = d["info"]
    data = d.get("data", {})
    status = str(info.get("status", "LOGGED_MODEL_PENDING")).removeprefix(
        LOGGED_MODEL_STATUS_PREFIX
    )
    return LoggedModel(
        model_id=info["model_id"],
        experiment_id=info["experiment_id"],
        name=info.get("name", ""),
        artifact_location=info.get("artifact_uri", ""),
        creation_timestamp=int(info.get("creation_timestamp_ms", 0)),
        last_updated_timestamp=int(info.get("last_updated_timestamp_ms", 0)),
        status=LoggedModelStatus(status) if status in LoggedModelStatus.__members__ else status,
        model_type=info.get("model_type"),
        source_run_id=info.get("source_run_id"),
        status_message=info.get("status_message"),
        tags=_pairs_from(info.get("tags")),
        params=_pairs_from(data.get("params")),
        metrics=tuple(metric_from_dict(m) for m in data.get("metrics", ())),
    )


def file_info_from_dict(d: Mapping[str, Any]) -> FileInfo:
    size = d.get("file_size")
    return FileInfo(
        path=d["path"],
        is_dir=bool(d.get("is_dir", False)),
        file_size=None if size is None else int(size),
    )
