"""Runs: lifecycle, search, and everything logged to a run (metrics, params, tags, I/O)."""

from __future__ import annotations

import json
from typing import Any

from mltrail._time import now_ms
from mltrail.entities import Param, RunTag
from mltrail.errors import InvalidParameter
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import Json, api_routes
from mltrail.wire import requests as rq
from mltrail.wire.codecs import run_info_to_dict, run_to_dict

DEFAULT_EXPERIMENT_ID = "0"
LOG_MODEL_HISTORY_TAG = "mlflow.log-model.history"
MODEL_JSON_REQUIRED = ("artifact_path", "flavors", "run_id", "utc_time_created")
SMALL_BATCH = 10  # rows; a batch this small is written on the event loop on SQLite


def create_run(ctx: ServerContext, req: rq.CreateRun) -> Json:
    run = ctx.tracking.create_run(
        experiment_id=req.experiment_id or DEFAULT_EXPERIMENT_ID,
        user_id=req.user_id or "",
        start_time=req.start_time if req.start_time is not None else now_ms(),
        tags=req.tags,
        run_name=req.run_name,
    )
    return {"run": run_to_dict(run)}


def get_run(ctx: ServerContext, req: rq.RunRef) -> Json:
    return {"run": run_to_dict(ctx.tracking.get_run(req.id))}


def update_run(ctx: ServerContext, req: rq.UpdateRun) -> Json:
    status = None if req.status is None else str(req.status)
    info = ctx.tracking.update_run_info(req.id, status, req.end_time, req.run_name)
    return {"run_info": run_info_to_dict(info)}


def delete_run(ctx: ServerContext, req: rq.RunRef) -> None:
    ctx.tracking.delete_run(req.id)


def restore_run(ctx: ServerContext, req: rq.RunRef) -> None:
    ctx.tracking.restore_run(req.id)


def search_runs(ctx: ServerContext, req: rq.SearchRuns) -> Json:
    page = ctx.tracking.search_runs(
        experiment_ids=req.experiment_ids,
        filter_string=req.filter,
        run_view_type=req.run_view_type,
        max_results=req.max_results,
        order_by=req.order_by,
        page_token=req.page_token,
    )
    return {"runs": [run_to_dict(r) for r in page], "next_page_token": page.token}


def log_metric(ctx: ServerContext, req: rq.LogMetric) -> None:
    ctx.tracking.log_batch(req.id, metrics=[req.to_metric()])


def log_param(ctx: ServerContext, req: rq.LogParam) -> None:
    ctx.tracking.log_batch(req.id, params=[Param(req.key, req.value)])


def set_tag(ctx: ServerContext, req: rq.SetTag) -> None:
    ctx.tracking.log_batch(req.id, tags=[RunTag(req.key, req.value)])


def delete_tag(ctx: ServerContext, req: rq.DeleteTag) -> None:
    ctx.tracking.delete_tag(req.run_id, req.key)


def log_batch(ctx: ServerContext, req: rq.LogBatch) -> None:
    ctx.tracking.log_batch(req.run_id, metrics=req.metrics, params=req.params, tags=req.tags)


def small_batch(req: rq.LogBatch) -> bool:
    """A batch as cheap to store as one metric (what synchronous per-call logging sends)."""
    return len(req.metrics) + len(req.params) + len(req.tags) <= SMALL_BATCH


def log_inputs(ctx: ServerContext, req: rq.LogInputs) -> None:
    ctx.tracking.log_inputs(req.run_id, datasets=req.datasets, models=req.models)


def log_outputs(ctx: ServerContext, req: rq.LogOutputs) -> None:
    ctx.tracking.log_outputs(req.run_id, req.models)


def log_model(ctx: ServerContext, req: rq.LogModel) -> None:
    """Append the model's summary to the run's ``mlflow.log-model.history`` tag (MLflow 2)."""
    entry = model_history_entry(req.model_json)
    run = ctx.tracking.get_run(req.run_id)
    history: list[Any] = []
    if LOG_MODEL_HISTORY_TAG in run.data.tags:
        try:
            history = list(json.loads(run.data.tags[LOG_MODEL_HISTORY_TAG]))
        except (ValueError, TypeError):
            history = []
    history.append(entry)
    tag = RunTag(LOG_MODEL_HISTORY_TAG, json.dumps(history))
    ctx.tracking.log_batch(req.run_id, tags=[tag])


def model_history_entry(model_json: str) -> dict[str, Any]:
    """The fields MLflow keeps per logged model; flavor `config` blocks are dropped."""
    try:
        model = json.loads(model_json)
    except ValueError:
        raise InvalidParameter(f"Malformed model info: {model_json!r} is not valid JSON.") from None
    if not isinstance(model, dict):
        raise InvalidParameter("Malformed model info: model_json must be a JSON object.")
    missing = [k for k in MODEL_JSON_REQUIRED if k not in model]
    if missing:
        raise InvalidParameter(f"Model json is missing mandatory fields: {missing}")
    flavors = model["flavors"] if isinstance(model["flavors"], dict) else {}
    return {
        "run_id": model["run_id"],
        "artifact_path": model["artifact_path"],
        "utc_time_created": model["utc_time_created"],
        "model_uuid": model.get("model_uuid"),
        "flavors": {
            name: {k: v for k, v in conf.items() if k != "config"}
            if isinstance(conf, dict)
            else conf
            for name, conf in flavors.items()
        },
    }


routes = [
    *api_routes("/runs/create", "POST", rq.CreateRun, create_run),
    *api_routes("/runs/get", "GET", rq.RunRef, get_run),
    *api_routes("/runs/update", "POST", rq.UpdateRun, update_run),
    *api_routes("/runs/delete", "POST", rq.RunRef, delete_run),
    *api_routes("/runs/restore", "POST", rq.RunRef, restore_run),
    *api_routes("/runs/search", "POST", rq.SearchRuns, search_runs),
    *api_routes("/runs/log-metric", "POST", rq.LogMetric, log_metric, short=True),
    *api_routes("/runs/log-parameter", "POST", rq.LogParam, log_param, short=True),
    *api_routes("/runs/set-tag", "POST", rq.SetTag, set_tag, short=True),
    *api_routes("/runs/delete-tag", "POST", rq.DeleteTag, delete_tag, short=True),
    *api_routes("/runs/log-batch", "POST", rq.LogBatch, log_batch, short=small_batch),
    *api_routes("/runs/log-inputs", "POST", rq.LogInputs, log_inputs),
    *api_routes("/runs/outputs", "POST", rq.LogOutputs, log_outputs),
    *api_routes("/runs/log-model", "POST", rq.LogModel, log_model),
]
