"""Fluent registry functions: `register_model`, `search_registered_models`,
`search_model_versions`, `set_model_version_tag` (thin wrappers over the client)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from mltrail.entities import PagedList
from mltrail.entities.registry import ModelVersion, RegisteredModel
from mltrail.errors import AlreadyExists, ErrorCode, MltrailError
from mltrail.tracking.client import MltrailClient

_log = logging.getLogger(__name__)
T = TypeVar("T")
_PAGE = 1000  # page size while collecting every result


def register_model(
    model_uri: str,
    name: str,
    await_registration_for: int = 300,
    *,
    tags: Mapping[str, Any] | None = None,
    env_pack: Any = None,
) -> ModelVersion:
    """Register the model at `model_uri` (``runs:/``, ``models:/``, an artifact URI) as the
    next version of `name`, creating the registered model when it does not exist yet.
    `env_pack` (Databricks model-serving environments) is accepted for compatibility only."""
    if env_pack is not None:
        raise MltrailError(
            "env_pack packages environments for Databricks model serving; mltrail does not "
            "support it. Register without env_pack.",
            ErrorCode.NOT_IMPLEMENTED,
        )
    client = MltrailClient()
    try:
        client.create_registered_model(name)
        _log.info("Successfully registered model '%s'.", name)
    except AlreadyExists:
        _log.info(
            "Registered model '%s' already exists. Creating a new version of this model...", name
        )
    version = client.create_model_version(name, model_uri, tags=tags)
    _log.info("Created version '%s' of model '%s'.", version.version, name)
    return version


def _collect(fetch: Callable[[int, str | None], PagedList[T]], max_results: int | None) -> list[T]:
    found: list[T] = []
    token: str | None = None
    while max_results is None or len(found) < max_results:
        wanted = _PAGE if max_results is None else min(_PAGE, max_results - len(found))
        page = fetch(wanted, token)
        found.extend(page)
        token = page.token
        if not token:
            break
    return found


def search_registered_models(
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: list[str] | None = None,
) -> list[RegisteredModel]:
    """Every matching registered model (up to `max_results`), across pages."""
    client = MltrailClient()
    return _collect(
        lambda size, token: client.search_registered_models(filter_string, size, order_by, token),
        max_results,
    )


def search_model_versions(
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: list[str] | None = None,
) -> list[ModelVersion]:
    """Every matching model version (up to `max_results`), across pages."""
    client = MltrailClient()
    return _collect(
        lambda size, token: client.search_model_versions(filter_string, size, order_by, token),
        max_results,
    )


def set_model_version_tag(
    name: str,
    version: str | int | None = None,
    key: str | None = None,
    value: Any = None,
) -> None:
    MltrailClient().set_model_version_tag(name, version, key, value)
