"""Model versions: create, get, update, stage transitions, delete, search, download URI, tags
(MLflow's ModelRegistryService, under /api/2.0/mlflow and /ajax-api/2.0/mlflow)."""

from __future__ import annotations

from mltrail.entities.registry import ModelVersion, ModelVersionTag
from mltrail.entities.webhook import WebhookAction, WebhookEntity, WebhookEvent
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import Json, api_routes
from mltrail.wire import registry as rq
from mltrail.wire.registry import model_version_to_dict

VERSION_CREATED = WebhookEvent(WebhookEntity.MODEL_VERSION, WebhookAction.CREATED)
TAG_SET = WebhookEvent(WebhookEntity.MODEL_VERSION_TAG, WebhookAction.SET)
TAG_DELETED = WebhookEvent(WebhookEntity.MODEL_VERSION_TAG, WebhookAction.DELETED)


def _answer(version: ModelVersion) -> Json:
    return {"model_version": model_version_to_dict(version)}


def create_model_version(ctx: ServerContext, req: rq.CreateModelVersion) -> Json:
    version = ctx.registry.create_model_version(
        req.name,
        req.source,
        req.run_id,
        req.tags,
        req.run_link,
        req.description,
        req.model_id,
    )
    payload = {
        "name": version.name,
        "version": version.version,
        "source": version.source,
        "run_id": version.run_id,
        "tags": {t.key: t.value for t in req.tags},
        "description": req.description or None,
    }
    ctx.fire(VERSION_CREATED, payload, model=version.name)
    return _answer(version)


def get_model_version(ctx: ServerContext, req: rq.ModelVersionRef) -> Json:
    return _answer(ctx.registry.get_model_version(req.name, req.version))


def update_model_version(ctx: ServerContext, req: rq.UpdateModelVersion) -> Json:
    return _answer(ctx.registry.update_model_version(req.name, req.version, req.description))


def transition_model_version_stage(ctx: ServerContext, req: rq.TransitionStage) -> Json:
    version = ctx.registry.transition_model_version_stage(
        req.name, req.version, req.stage, req.archive_existing_versions
    )
    return _answer(version)


def delete_model_version(ctx: ServerContext, req: rq.ModelVersionRef) -> None:
    ctx.registry.delete_model_version(req.name, req.version)


def get_model_version_download_uri(ctx: ServerContext, req: rq.ModelVersionRef) -> Json:
    return {"artifact_uri": ctx.registry.get_model_version_download_uri(req.name, req.version)}


def search_model_versions(ctx: ServerContext, req: rq.SearchModelVersions) -> Json:
    page = ctx.registry.search_model_versions(
        req.filter,
        req.max_results or rq.SEARCH_MODEL_VERSIONS_DEFAULT,
        req.order_by,
        req.page_token,
    )
    return {
        "model_versions": [model_version_to_dict(v) for v in page],
        "next_page_token": page.token,
    }


def set_model_version_tag(ctx: ServerContext, req: rq.SetModelVersionTag) -> None:
    tag = ModelVersionTag(req.key, req.value)
    ctx.registry.set_model_version_tag(req.name, req.version, tag)
    payload = {"name": req.name, "version": req.version, "key": req.key, "value": req.value}
    ctx.fire(TAG_SET, payload, model=req.name)


def delete_model_version_tag(ctx: ServerContext, req: rq.DeleteModelVersionTag) -> None:
    ctx.registry.delete_model_version_tag(req.name, req.version, req.key)
    payload = {"name": req.name, "version": req.version, "key": req.key}
    ctx.fire(TAG_DELETED, payload, model=req.name)


_BASE = "/model-versions"
routes = [
    *api_routes(f"{_BASE}/create", "POST", rq.CreateModelVersion, create_model_version),
    *api_routes(f"{_BASE}/get", "GET", rq.ModelVersionRef, get_model_version),
    *api_routes(f"{_BASE}/update", "PATCH", rq.UpdateModelVersion, update_model_version),
    *api_routes(
        f"{_BASE}/transition-stage", "POST", rq.TransitionStage, transition_model_version_stage
    ),
    *api_routes(f"{_BASE}/delete", "DELETE", rq.ModelVersionRef, delete_model_version),
    *api_routes(f"{_BASE}/search", "GET", rq.SearchModelVersions, search_model_versions),
    *api_routes(
        f"{_BASE}/get-download-uri", "GET", rq.ModelVersionRef, get_model_version_download_uri
    ),
    *api_routes(f"{_BASE}/set-tag", "POST", rq.SetModelVersionTag, set_model_version_tag),
    *api_routes(
        f"{_BASE}/delete-tag", "DELETE", rq.DeleteModelVersionTag, delete_model_version_tag
    ),
]
