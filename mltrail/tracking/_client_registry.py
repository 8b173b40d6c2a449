"""The client's model registry methods (MLflow's names, arguments and return shapes).

The registry store comes from the client's registry URI (default: its tracking URI) and is
built once per URI per process. `runs:/` sources are resolved to the run's artifact location
and ``models:/m-<id>`` sources carry their logged model id, as MLflow's client does.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

from mltrail.entities import PagedList
from mltrail.entities.registry import (
    ALL_STAGES,
    ModelVersion,
    ModelVersionTag,
    RegisteredModel,
    RegisteredModelTag,
)
from mltrail.entities.webhook import Webhook, WebhookEvent, WebhookStatus, WebhookTestResult
from mltrail.errors import InvalidParameter
from mltrail.store.registry.base import RegistryStore
from mltrail.store.registry.validation import (
    SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
)
from mltrail.tracking._client_base import ClientBase

_stores: dict[str, RegistryStore] = {}
_lock = threading.Lock()
_RUNS_URI = re.compile(r"^runs:/+(?P<run_id>[^/]+)/?(?P<path>.*)$")
_LOGGED_MODEL_URI = re.compile(r"^models:/+(?P<model_id>m-[0-9a-f]+)/?$")
_MODELS_URI = re.compile(r"^models:/+(?P<name>[^/@]+)(?:/(?P<suffix>[^/]+)|@(?P<alias>[\w\-]+))/?$")


def registry_store(uri: str) -> RegistryStore:
    """The registry store for `uri`, shared by every client of this process."""
    from mltrail.tracking._stores import store_key

    key = store_key(uri)
    store = _stores.get(key)
    if store is None:
        with _lock:
            store = _stores.get(key)
            if store is None:
                from mltrail.settings import Settings
                from mltrail.store.registry import registry_store_for
                from mltrail.store.uri import SQL_SCHEMES, scheme_of
                from mltrail.tracking._stores import handle_for

                root = Settings.from_env().default_artifact_root
                # On one database, the tracking store's connections serve both.
                tracking = handle_for(key).store if scheme_of(key) in SQL_SCHEMES else None
                store = _stores[key] = registry_store_for(key, root, tracking_store=tracking)
    return store


def clear_registry_stores() -> None:
    """Close and forget every cached registry store (tests use it between cases)."""
    with _lock:
        stores = list(_stores.values())
        _stores.clear()
    for store in stores:
        close = getattr(store, "close", None)
        if callable(close):
            close()


def _tags(tags: Mapping[str, Any] | None, kind: type[Any]) -> list[Any]:
    return [kind(str(k), str(v)) for k, v in (tags or {}).items()]


class RegistryMethods(ClientBase):
    @property
    def _registry(self) -> RegistryStore:
        return registry_store(self._registry_uri)

    # -- registered models -------------------------------------------------------------------
    def create_registered_model(
        self,
        name: str,
        tags: Mapping[str, Any] | None = None,
        description: str | None = None,
        deployment_job_id: str | None = None,
    ) -> RegisteredModel:
        return self._registry.create_registered_model(
            name, _tags(tags, RegisteredModelTag), description
        )

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self._registry.get_registered_model(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        return self._registry.rename_registered_model(name, new_name)

    def update_registered_model(
        self, name: str, description: str | None = None, deployment_job_id: str | None = None
    ) -> RegisteredModel:
        return self._registry.update_registered_model(name, description)

    def delete_registered_model(self, name: str) -> None:
        self._registry.delete_registered_model(name)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        return self._registry.search_registered_models(
            filter_string, max_results, order_by, page_token
        )

    def get_latest_versions(self, name: str, stages: list[str] | None = None) -> list[ModelVersion]:
        return self._registry.get_latest_versions(name, stages)

    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None:
        self._registry.set_registered_model_tag(name, RegisteredModelTag(key, str(value)))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._registry.delete_registered_model_tag(name, key)

    # -- aliases -----------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: str | int) -> None:
        self._registry.set_registered_model_alias(name, alias, str(version))

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._registry.delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        return self._registry.get_model_version_by_alias(name, alias)

    # -- model versions ----------------------------------------------------------------------
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        run_link: str | None = None,
        description: str | None = None,
        await_creation_for: int = 300,
        model_id: str | None = None,
    ) -> ModelVersion:
        # Versions are READY when created: there is nothing to wait for.
        source, run_id, model_id = self._resolve_source(source, run_id, model_id)
        return self._registry.create_model_version(
            name, source, run_id, _tags(tags, ModelVersionTag), run_link, description, model_id
        )

    def _resolve_source(
        self, source: str, run_id: str | None, model_id: str | None
    ) -> tuple[str, str | None, str | None]:
        runs_uri = _RUNS_URI.match(source)
        if runs_uri:
            run_id = run_id or runs_uri["run_id"]
            run = self._read_store().get_run(runs_uri["run_id"])
            base = run.info.artifact_uri.rstrip("/")
            path = runs_uri["path"].strip("/")
            return (f"{base}/{path}" if path else base), run_id, model_id
        logged = _LOGGED_MODEL_URI.match(source)
        if logged:
            model_id = model_id or logged["model_id"]
        return source, run_id, model_id

    def get_model_version(self, name: str, version: str | int) -> ModelVersion:
        return self._registry.get_model_version(name, str(version))

    def update_model_version(
        self, name: str, version: str | int, description: str | None = None
    ) -> ModelVersion:
        return self._registry.update_model_version(name, str(version), description)

    def transition_model_version_stage(
        self, name: str, version: str | int, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        return self._registry.transition_model_version_stage(
            name, str(version), stage, archive_existing_versions
        )

    def delete_model_version(self, name: str, version: str | int) -> None:
        self._registry.delete_model_version(name, str(version))

    def get_model_version_download_uri(self, name: str, version: str | int) -> str:
        return self._registry.get_model_version_download_uri(name, str(version))

    def get_model_version_stages(self, name: str, version: str | int) -> list[str]:
        return list(ALL_STAGES)

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        return self._registry.search_model_versions(
            filter_string, max_results, order_by, page_token
        )

    def set_model_version_tag(
        self,
        name: str,
        version: str | int | None = None,
        key: str | None = None,
        value: Any = None,
        stage: str | None = None,
    ) -> None:
        number = self._version_or_stage(name, version, stage)
        tag = ModelVersionTag(key, str(value))  # type: ignore[arg-type]
        self._registry.set_model_version_tag(name, number, tag)

    def delete_model_version_tag(
        self,
        name: str,
        version: str | int | None = None,
        key: str | None = None,
        stage: str | None = None,
    ) -> None:
        number = self._version_or_stage(name, version, stage)
        self._registry.delete_model_version_tag(name, number, key)  # type: ignore[arg-type]

    def _version_or_stage(self, name: str, version: str | int | None, stage: str | None) -> str:
        """MLflow's either-or: an explicit version, or the latest version in `stage`."""
        if (version is None) == (stage is None):
            raise InvalidParameter("version and stage cannot be set together or both be None")
        if version is not None:
            return str(version)
        latest = self.get_latest_versions(name, [str(stage)])
        if not latest:
            raise InvalidParameter(f"Could not find any model version for {stage} stage")
        return latest[0].version

    def copy_model_version(self, src_model_uri: str, dst_name: str) -> ModelVersion:
        """Register the version named by a models:/ URI again as a version of `dst_name`."""
        return self._registry.copy_model_version(
            self.resolve_model_version(src_model_uri), dst_name
        )

    def resolve_model_version(self, model_uri: str) -> ModelVersion:
        """The version a ``models:/name/<version|stage|latest>`` or ``models:/name@alias`` names."""
        parsed = _MODELS_URI.match(model_uri)
        if not parsed:
            raise InvalidParameter(
                f"Not a proper models:/ URI: {model_uri}. Models URIs must be of the form "
                "'models:/name/suffix' or 'models:/name@alias' where suffix is a version, "
                "stage, or the string 'latest'."
            )
        name, suffix, alias = parsed["name"], parsed["suffix"], parsed["alias"]
        if alias:
            return self.get_model_version_by_alias(name, alias)
        if suffix.isdigit():
            return self.get_model_version(name, suffix)
        if suffix.lower() == "latest":
            found = self.search_model_versions(
                f"name = '{_quoted(name)}'", max_results=1, order_by=["version_number DESC"]
            )
        else:
            found = PagedList(self.get_latest_versions(name, [suffix]), None)
        if not found:
            raise InvalidParameter(
                f"No versions of model with name '{name}' and stage '{suffix}' found"
            )
        return found[0]

    # -- webhooks ----------------------------------------------------------------------------
    # Deliveries are sent by a tracking server when registry calls reach it (as MLflow does);
    # against a local database the calls below manage webhooks and `test_webhook` sends the
    # test delivery from this process.
    def create_webhook(
        self,
        name: str,
        url: str,
        events: list[WebhookEvent | str],
        description: str | None = None,
        secret: str | None = None,
        status: WebhookStatus | str | None = None,
    ) -> Webhook:
        return self._registry.create_webhook(name, url, events, description, secret, status)

    def get_webhook(self, webhook_id: str) -> Webhook:
        return self._registry.get_webhook(webhook_id)

    def list_webhooks(
        self, max_results: int | None = None, page_token: str | None = None
    ) -> PagedList[Webhook]:
        return self._registry.list_webhooks(max_results, page_token)

    def update_webhook(
        self,
        webhook_id: str,
        name: str | None = None,
        description: str | None = None,
        url: str | None = None,
        events: list[WebhookEvent | str] | None = None,
        secret: str | None = None,
        status: WebhookStatus | str | None = None,
    ) -> Webhook:
        return self._registry.update_webhook(
            webhook_id, name, description, url, events, secret, status
        )

    def delete_webhook(self, webhook_id: str) -> None:
        self._registry.delete_webhook(webhook_id)

    def test_webhook(
        self, webhook_id: str, event: WebhookEvent | str | None = None
    ) -> WebhookTestResult:
        return self._registry.test_webhook(webhook_id, event)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")
