"""Experiments: create, get, get-by-name, search, update, delete, restore, tags."""

from __future__ import annotations

from mltrail.entities import ExperimentTag
from mltrail.errors import NotFound
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import Json, api_routes
from mltrail.wire import requests as rq
from mltrail.wire.codecs import experiment_to_dict


def create_experiment(ctx: ServerContext, req: rq.CreateExperiment) -> Json:
    location = ctx.artifacts.check_new_location(req.artifact_location)
    return {"experiment_id": ctx.tracking.create_experiment(req.name, location, req.tags)}


def get_experiment(ctx: ServerContext, req: rq.ExperimentRef) -> Json:
    return {"experiment": experiment_to_dict(ctx.tracking.get_experiment(req.experiment_id))}


def get_experiment_by_name(ctx: ServerContext, req: rq.GetExperimentByName) -> Json:
    experiment = ctx.tracking.get_experiment_by_name(req.experiment_name)
    if experiment is None:
        raise NotFound(f"Could not find experiment with name '{req.experiment_name}'")
    return {"experiment": experiment_to_dict(experiment)}


def search_experiments(ctx: ServerContext, req: rq.SearchExperiments) -> Json:
    page = ctx.tracking.search_experiments(
        view_type=req.view_type,
        max_results=req.max_results,
        filter_string=req.filter,
        order_by=req.order_by,
        page_token=req.page_token,
    )
    return {
        "experiments": [experiment_to_dict(e) for e in page],
        "next_page_token": page.token,
    }


def update_experiment(ctx: ServerContext, req: rq.UpdateExperiment) -> None:
    ctx.tracking.rename_experiment(req.experiment_id, req.new_name)


def delete_experiment(ctx: ServerContext, req: rq.ExperimentRef) -> None:
    ctx.tracking.delete_experiment(req.experiment_id)


def restore_experiment(ctx: ServerContext, req: rq.ExperimentRef) -> None:
    ctx.tracking.restore_experiment(req.experiment_id)


def set_experiment_tag(ctx: ServerContext, req: rq.SetExperimentTag) -> None:
    ctx.tracking.set_experiment_tag(req.experiment_id, ExperimentTag(req.key, req.value))


def delete_experiment_tag(ctx: ServerContext, req: rq.DeleteExperimentTag) -> None:
    ctx.tracking.delete_experiment_tag(req.experiment_id, req.key)


routes = [
    *api_routes("/experiments/create", "POST", rq.CreateExperiment, create_experiment),
    *api_routes("/experiments/get", "GET", rq.ExperimentRef, get_experiment),
    *api_routes("/experiments/get-by-name", "GET", rq.GetExperimentByName, get_experiment_by_name),
    *api_routes("/experiments/search", ("GET", "POST"), rq.SearchExperiments, search_experiments),
    *api_routes("/experiments/update", "POST", rq.UpdateExperiment, update_experiment),
    *api_routes("/experiments/delete", "POST", rq.ExperimentRef, delete_experiment),
    *api_routes("/experiments/restore", "POST", rq.ExperimentRef, restore_experiment),
    *api_routes("/experiments/set-experiment-tag", "POST", rq.SetExperimentTag, set_experiment_tag),
    *api_routes(
        "/experiments/delete-experiment-tag",
        "POST",
        rq.DeleteExperimentTag,
        delete_experiment_tag,
    ),
]
