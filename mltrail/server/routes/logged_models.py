"""MLflow 3 logged models: create, get, finalize, delete, search, tags, params, artifacts."""

from __future__ import annotations

from mltrail.errors import InvalidParameter
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import Json, api_routes
from mltrail.server.routes.artifacts import list_files
from mltrail.wire import requests as rq
from mltrail.wire.codecs import logged_model_to_dict

MODELS = "/logged-models"
MODEL = MODELS + "/{model_id}"


def create_logged_model(ctx: ServerContext, req: rq.CreateLoggedModel) -> Json:
    model = ctx.models.create_logged_model(
        experiment_id=req.experiment_id,
        name=req.name,
        source_run_id=req.source_run_id,
        tags=req.tags,
        params=req.params,
        model_type=req.model_type,
    )
    return {"model": logged_model_to_dict(model)}


def get_logged_model(ctx: ServerContext, req: rq.GetLoggedModel) -> Json:
    model = ctx.models.get_logged_model(req.model_id, allow_deleted=req.allow_deleted)
    return {"model": logged_model_to_dict(model)}


def finalize_logged_model(ctx: ServerContext, req: rq.FinalizeLoggedModel) -> Json:
    model = ctx.models.finalize_logged_model(req.model_id, str(req.status))
    return {"model": logged_model_to_dict(model)}


def delete_logged_model(ctx: ServerContext, req: rq.LoggedModelRef) -> None:
    ctx.models.delete_logged_model(req.model_id)


def set_logged_model_tags(ctx: ServerContext, req: rq.SetLoggedModelTags) -> Json:
    ctx.models.set_logged_model_tags(req.model_id, req.tags)
    return {"model": logged_model_to_dict(ctx.models.get_logged_model(req.model_id))}


def delete_logged_model_tag(ctx: ServerContext, req: rq.DeleteLoggedModelTag) -> None:
    ctx.models.delete_logged_model_tag(req.model_id, req.tag_key)


def log_logged_model_params(ctx: ServerContext, req: rq.LogLoggedModelParams) -> None:
    ctx.models.log_logged_model_params(req.model_id, req.params)


def search_logged_models(ctx: ServerContext, req: rq.SearchLoggedModels) -> Json:
    if req.datasets:
        raise InvalidParameter("Filtering logged models by dataset is not supported yet.")
    page = ctx.models.search_logged_models(
        experiment_ids=req.experiment_ids,
        filter_string=req.filter,
        max_results=req.max_results,
        order_by=[{"field_name": o.field_name, "ascending": o.ascending} for o in req.order_by],
        page_token=req.page_token,
    )
    return {"models": [logged_model_to_dict(m) for m in page], "next_page_token": page.token}


def list_logged_model_artifacts(ctx: ServerContext, req: rq.ListLoggedModelArtifacts) -> Json:
    model = ctx.models.get_logged_model(req.model_id)
    return list_files(ctx, model.artifact_location, req.artifact_directory_path)


routes = [
    *api_routes(MODELS, "POST", rq.CreateLoggedModel, create_logged_model),
    *api_routes(MODELS + "/search", "POST", rq.SearchLoggedModels, search_logged_models),
    *api_routes(MODEL, "GET", rq.GetLoggedModel, get_logged_model),
    *api_routes(MODEL, "PATCH", rq.FinalizeLoggedModel, finalize_logged_model),
    *api_routes(MODEL, "DELETE", rq.LoggedModelRef, delete_logged_model),
    *api_routes(MODEL + "/tags", "PATCH", rq.SetLoggedModelTags, set_logged_model_tags),
    *api_routes(
        MODEL + "/tags/{tag_key}", "DELETE", rq.DeleteLoggedModelTag, delete_logged_model_tag
    ),
    *api_routes(MODEL + "/params", "POST", rq.LogLoggedModelParams, log_logged_model_params),
    *api_routes(
        MODEL + "/artifacts/directories",
        "GET",
        rq.ListLoggedModelArtifacts,
        list_logged_model_artifacts,
    ),
]
