"""`RestRegistryStore`: the model registry of an ``http(s)://`` tracking server.

Implements `RegistryStore` over MLflow's registry endpoints with the `mltrail.wire` codecs, so
it works against an mltrail server or the official ``mlflow server``; the server validates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from mltrail.entities import PagedList
from mltrail.entities.registry import (
    ModelVersion,
    ModelVersionTag,
    RegisteredModel,
    RegisteredModelTag,
)
from mltrail.entities.webhook import (
    Webhook,
    WebhookEvent,
    WebhookStatus,
    WebhookTestResult,
    parse_events,
)
from mltrail.errors import ErrorCode, MltrailError
from mltrail.settings import Settings
from mltrail.store.registry.validation import (
    SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
)
from mltrail.store.rest_client import RestClient
from mltrail.webhooks.wire import (
    event_to_dict,
    test_result_from_dict,
    webhook_from_dict,
)
from mltrail.wire.registry import model_version_from_dict, registered_model_from_dict

API = "/api/2.0/mlflow"
Json = dict[str, Any]


def _set(body: Mapping[str, Any]) -> Json:
    return {k: v for k, v in body.items() if v is not None}


def _pairs(tags: Sequence[Any]) -> list[Json]:
    return [{"key": t.key, "value": t.value} for t in tags]


class RestRegistryStore:
    """A tracking server's registry API as a `RegistryStore`; `uri` is the server's URL."""

    def __init__(
        self, uri: str, *, settings: Settings | None = None, client: RestClient | None = None
    ) -> None:
        self.uri = uri.rstrip("/")
        self.rest = client or RestClient(self.uri, settings)

    def __repr__(self) -> str:
        return f"RestRegistryStore({self.uri!r})"

    def close(self) -> None:
        self.rest.close()

    def _call(self, method: str, path: str, **fields: Any) -> Json:
        if method == "GET":
            return self.rest.call("GET", API + path, params=fields)
        return self.rest.call(method, API + path, _set(fields))

    def _model(self, method: str, path: str, **fields: Any) -> RegisteredModel:
        return registered_model_from_dict(self._call(method, path, **fields)["registered_model"])

    def _version(self, method: str, path: str, **fields: Any) -> ModelVersion:
        return model_version_from_dict(self._call(method, path, **fields)["model_version"])

    # -- registered models -------------------------------------------------------------------
    def create_registered_model(
        self,
        name: str,
        tags: Sequence[RegisteredModelTag] = (),
        description: str | None = None,
    ) -> RegisteredModel:
        return self._model(
            "POST",
            "/registered-models/create",
            name=name,
            tags=_pairs(tags),
            description=description,
        )

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self._model("GET", "/registered-models/get", name=name)

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        return self._model("PATCH", "/registered-models/update", name=name, description=description)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        return self._model("POST", "/registered-models/rename", name=name, new_name=new_name)

    def delete_registered_model(self, name: str) -> None:
        self._call("DELETE", "/registered-models/delete", name=name)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        answer = self._call(
            "GET",
            "/registered-models/search",
            filter=filter_string or None,
            max_results=max_results,
            order_by=list(order_by or ()),
            page_token=page_token or None,
        )
        models = [registered_model_from_dict(m) for m in answer.get("registered_models", ())]
        return PagedList(models, answer.get("next_page_token") or None)

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        answer = self._call(
            "POST", "/registered-models/get-latest-versions", name=name, stages=list(stages or ())
        )
        return [model_version_from_dict(v) for v in answer.get("model_versions", ())]

    def set_registered_model_tag(self, name: str, tag: RegisteredModelTag) -> None:
        self._call("POST", "/registered-models/set-tag", name=name, key=tag.key, value=tag.value)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._call("DELETE", "/registered-models/delete-tag", name=name, key=key)

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        self._call("POST", "/registered-models/alias", name=name, alias=alias, version=str(version))

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._call("DELETE", "/registered-models/alias", name=name, alias=alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        return self._version("GET", "/registered-models/alias", name=name, alias=alias)

    # -- model versions ----------------------------------------------------------------------
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Sequence[ModelVersionTag] = (),
        run_link: str | None = None,
        description: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        return self._version(
            "POST",
            "/model-versions/create",
            name=name,
            source=source,
            run_id=run_id,
            tags=_pairs(tags),
            run_link=run_link,
            description=description,
            model_id=model_id,
        )

    def get_model_version(self, name: str, version: str) -> ModelVersion:
        return self._version("GET", "/model-versions/get", name=name, version=str(version))

    def update_model_version(
        self, name: str, version: str, description: str | None
    ) -> ModelVersion:
        return self._version(
            "PATCH",
            "/model-versions/update",
            name=name,
            version=str(version),
            description=description,
        )

    def transition_model_version_stage(
        self, name: str, version: str, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        return self._version(
            "POST",
            "/model-versions/transition-stage",
            name=name,
            version=str(version),
            stage=stage,
            archive_existing_versions=archive_existing_versions,
        )

    def delete_model_version(self, name: str, version: str) -> None:
        self._call("DELETE", "/model-versions/delete", name=name, version=str(version))

    def get_model_version_download_uri(self, name: str, version: str) -> str:
        answer = self._call(
            "GET", "/model-versions/get-download-uri", name=name, version=str(version)
        )
        return str(answer.get("artifact_uri", ""))

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        answer = self._call(
            "GET",
            "/model-versions/search",
            filter=filter_string or None,
            max_results=max_results,
            order_by=list(order_by or ()),
            page_token=page_token or None,
        )
        versions = [model_version_from_dict(v) for v in answer.get("model_versions", ())]
        return PagedList(versions, answer.get("next_page_token") or None)

    def set_model_version_tag(self, name: str, version: str, tag: ModelVersionTag) -> None:
        self._call(
            "POST",
            "/model-versions/set-tag",
            name=name,
            version=str(version),
            key=tag.key,
            value=tag.value,
        )

    def delete_model_version_tag(self, name: str, version: str, key: str) -> None:
        self._call("DELETE", "/model-versions/delete-tag", name=name, version=str(version), key=key)

    def copy_model_version(self, src_mv: ModelVersion, dst_name: str) -> ModelVersion:
        try:
            self.create_registered_model(dst_name)
        except MltrailError as error:
            if error.code is not ErrorCode.RESOURCE_ALREADY_EXISTS:
                raise
        return self.create_model_version(
            dst_name,
            f"models:/{src_mv.name}/{src_mv.version}",
            src_mv.run_id,
            [ModelVersionTag(k, v) for k, v in src_mv.tags.items()],
            src_mv.run_link,
            src_mv.description,
            src_mv.model_id,
        )

    # -- webhooks ----------------------------------------------------------------------------
    def _webhook(self, method: str, path: str, **fields: Any) -> Webhook:
        return webhook_from_dict(self._call(method, path, **fields)["webhook"])

    @staticmethod
    def _hook_path(webhook_id: str) -> str:
        return f"/webhooks/{quote(str(webhook_id), safe='')}"

    def create_webhook(
        self,
        name: str,
        url: str,
        events: Sequence[WebhookEvent | str],
        description: str | None = None,
        secret: str | None = None,
        status: WebhookStatus | str | None = None,
    ) -> Webhook:
        return self._webhook(
            "POST",
            "/webhooks",
            name=name,
            url=url,
            events=[event_to_dict(e) for e in parse_events(events)],
            description=description,
            secret=secret,
            status=None if status is None else WebhookStatus.parse(status).value,
        )

    def get_webhook(self, webhook_id: str) -> Webhook:
        return self._webhook("GET", self._hook_path(webhook_id))

    def list_webhooks(
        self, max_results: int | None = None, page_token: str | None = None
    ) -> PagedList[Webhook]:
        answer = self._call(
            "GET", "/webhooks", max_results=max_results, page_token=page_token or None
        )
        hooks = [webhook_from_dict(w) for w in answer.get("webhooks", ())]
        return PagedList(hooks, answer.get("next_page_token") or None)

    def list_webhooks_by_event(
        self, event: WebhookEvent, max_results: int | None = None, page_token: str | None = None
    ) -> PagedList[Webhook]:
        """Filtered here from `list_webhooks` (servers have no such endpoint; no secrets)."""
        page = self.list_webhooks(max_results, page_token)
        chosen = [w for w in page if w.status.is_active() and event in w.events]
        return PagedList(chosen, page.token)

    def update_webhook(
        self,
        webhook_id: str,
        name: str | None = None,
        description: str | None = None,
        url: str | None = None,
        events: Sequence[WebhookEvent | str] | None = None,
        secret: str | None = None,
        status: WebhookStatus | str | None = None,
    ) -> Webhook:
        return self._webhook(
            "PATCH",
            self._hook_path(webhook_id),
            name=name,
            description=description,
            url=url,
            events=None if events is None else [event_to_dict(e) for e in parse_events(events)],
            secret=secret,
            status=None if status is None else WebhookStatus.parse(status).value,
        )

    def delete_webhook(self, webhook_id: str) -> None:
        self._call("DELETE", self._hook_path(webhook_id))

    def test_webhook(
        self, webhook_id: str, event: WebhookEvent | str | None = None
    ) -> WebhookTestResult:
        chosen = WebhookEvent.from_str(event) if isinstance(event, str) else event
        answer = self._call(
            "POST",
            self._hook_path(webhook_id) + "/test",
            event=None if chosen is None else event_to_dict(chosen),
        )
        return test_result_from_dict(answer.get("result", {}))
