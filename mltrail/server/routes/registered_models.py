"""Registered models: create, get, rename, update, delete, search, latest versions, tags,
aliases (MLflow's ModelRegistryService, under /api/2.0/mlflow and /ajax-api/2.0/mlflow)."""

from __future__ import annotations

from mltrail.entities.registry import RegisteredModelTag
from mltrail.entities.webhook import WebhookAction, WebhookEntity, WebhookEvent
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import Json, api_routes
from mltrail.webhooks.dispatcher import is_prompt
from mltrail.wire import registry as rq
from mltrail.wire.registry import model_version_to_dict, registered_model_to_dict

MODEL_CREATED = WebhookEvent(WebhookEntity.REGISTERED_MODEL, WebhookAction.CREATED)
ALIAS_CREATED = WebhookEvent(WebhookEntity.MODEL_VERSION_ALIAS, WebhookAction.CREATED)
ALIAS_DELETED = WebhookEvent(WebhookEntity.MODEL_VERSION_ALIAS, WebhookAction.DELETED)


def create_registered_model(ctx: ServerContext, req: rq.CreateRegisteredModel) -> Json:
    model = ctx.registry.create_registered_model(req.name, req.tags, req.description)
    tags = {t.key: t.value for t in req.tags}
    if not is_prompt(tags):  # prompts have events of their own, not emitted here
        payload = {"name": req.name, "tags": tags, "description": req.description}
        ctx.fire(MODEL_CREATED, payload)
    return {"registered_model": registered_model_to_dict(model)}


def get_registered_model(ctx: ServerContext, req: rq.ModelName) -> Json:
    return {
        "registered_model": registered_model_to_dict(ctx.registry.get_registered_model(req.name))
    }


def rename_registered_model(ctx: ServerContext, req: rq.RenameRegisteredModel) -> Json:
    model = ctx.registry.rename_registered_model(req.name, req.new_name)
    return {"registered_model": registered_model_to_dict(model)}


def update_registered_model(ctx: ServerContext, req: rq.UpdateRegisteredModel) -> Json:
    model = ctx.registry.update_registered_model(req.name, req.description)
    return {"registered_model": registered_model_to_dict(model)}


def delete_registered_model(ctx: ServerContext, req: rq.ModelName) -> None:
    ctx.registry.delete_registered_model(req.name)


def search_registered_models(ctx: ServerContext, req: rq.SearchRegisteredModels) -> Json:
    page = ctx.registry.search_registered_models(
        req.filter,
        req.max_results or rq.SEARCH_REGISTERED_MODELS_DEFAULT,
        req.order_by,
        req.page_token,
    )
    return {
        "registered_models": [registered_model_to_dict(m) for m in page],
        "next_page_token": page.token,
    }


def get_latest_versions(ctx: ServerContext, req: rq.GetLatestVersions) -> Json:
    versions = ctx.registry.get_latest_versions(req.name, req.stages or None)
    return {"model_versions": [model_version_to_dict(v) for v in versions]}


def set_registered_model_tag(ctx: ServerContext, req: rq.SetRegisteredModelTag) -> None:
    ctx.registry.set_registered_model_tag(req.name, RegisteredModelTag(req.key, req.value))


def delete_registered_model_tag(ctx: ServerContext, req: rq.DeleteRegisteredModelTag) -> None:
    ctx.registry.delete_registered_model_tag(req.name, req.key)


def set_registered_model_alias(ctx: ServerContext, req: rq.SetAlias) -> None:
    ctx.registry.set_registered_model_alias(req.name, req.alias, req.version)
    payload = {"name": req.name, "alias": req.alias, "version": req.version}
    ctx.fire(ALIAS_CREATED, payload, model=req.name)


def delete_registered_model_alias(ctx: ServerContext, req: rq.AliasRef) -> None:
    ctx.registry.delete_registered_model_alias(req.name, req.alias)
    ctx.fire(ALIAS_DELETED, {"name": req.name, "alias": req.alias}, model=req.name)


def get_model_version_by_alias(ctx: ServerContext, req: rq.AliasRef) -> Json:
    version = ctx.registry.get_model_version_by_alias(req.name, req.alias)
    return {"model_version": model_version_to_dict(version)}


_BASE = "/registered-models"
routes = [
    *api_routes(f"{_BASE}/create", "POST", rq.CreateRegisteredModel, create_registered_model),
    *api_routes(f"{_BASE}/get", "GET", rq.ModelName, get_registered_model),
    *api_routes(f"{_BASE}/rename", "POST", rq.RenameRegisteredModel, rename_registered_model),
    *api_routes(f"{_BASE}/update", "PATCH", rq.UpdateRegisteredModel, update_registered_model),
    *api_routes(f"{_BASE}/delete", "DELETE", rq.ModelName, delete_registered_model),
    *api_routes(f"{_BASE}/search", "GET", rq.SearchRegisteredModels, search_registered_models),
    *api_routes(
        f"{_BASE}/get-latest-versions", ("GET", "POST"), rq.GetLatestVersions, get_latest_versions
    ),
    *api_routes(f"{_BASE}/set-tag", "POST", rq.SetRegisteredModelTag, set_registered_model_tag),
    *api_routes(
        f"{_BASE}/delete-tag", "DELETE", rq.DeleteRegisteredModelTag, delete_registered_model_tag
    ),
    *api_routes(f"{_BASE}/alias", "POST", rq.SetAlias, set_registered_model_alias),
    *api_routes(f"{_BASE}/alias", "DELETE", rq.AliasRef, delete_registered_model_alias),
    *api_routes(f"{_BASE}/alias", "GET", rq.AliasRef, get_model_version_by_alias),
]
