"""The client's MLflow 3 logged-model methods: a model with its own id, params, tags and files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.entities import LoggedModel, PagedList
from mltrail.entities.logged_model import LoggedModelParameter, LoggedModelTag
from mltrail.errors import ErrorCode, MltrailError
from mltrail.store.tracking.base import LoggedModelStore
from mltrail.tracking._client_base import ClientBase

_STATUSES = ("READY", "UPLOAD_FAILED", "PENDING")


class LoggedModelMethods(ClientBase):
    @property
    def _models(self) -> LoggedModelStore:
        store = self._read_store()
        if not isinstance(store, LoggedModelStore):
            raise MltrailError(
                f"The tracking store at {self.tracking_uri} does not support logged models",
                ErrorCode.FEATURE_DISABLED,
            )
        return store

    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        return self._models.create_logged_model(
            str(experiment_id),
            name,
            source_run_id,
            [LoggedModelTag(k, str(v)) for k, v in (tags or {}).items()],
            [LoggedModelParameter(k, str(v)) for k, v in (params or {}).items()],
            model_type,
        )

    def get_logged_model(self, model_id: str) -> LoggedModel:
        return self._models.get_logged_model(model_id)

    def finalize_logged_model(self, model_id: str, status: Any) -> LoggedModel:
        """Set READY or UPLOAD_FAILED (a LoggedModelStatus or its name)."""
        name = str(getattr(status, "value", status)).upper()
        if name not in _STATUSES:
            raise MltrailError(
                f"Invalid logged model status {status!r}; expected one of {_STATUSES}",
                ErrorCode.INVALID_PARAMETER_VALUE,
            )
        return self._models.finalize_logged_model(model_id, name)

    def delete_logged_model(self, model_id: str) -> None:
        self._models.delete_logged_model(model_id)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        datasets: Sequence[Mapping[str, Any]] | None = None,
        max_results: int | None = None,
        order_by: Sequence[Mapping[str, Any]] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        if datasets:
            raise MltrailError(
                "Filtering logged models by datasets is not supported yet",
                ErrorCode.INVALID_PARAMETER_VALUE,
            )
        return self._models.search_logged_models(
            [str(e) for e in experiment_ids], filter_string, max_results, order_by, page_token
        )

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, Any]) -> None:
        self._models.set_logged_model_tags(
            model_id, [LoggedModelTag(k, str(v)) for k, v in tags.items()]
        )

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self._models.delete_logged_model_tag(model_id, key)

    def log_model_params(self, model_id: str, params: Mapping[str, Any]) -> None:
        self._models.log_logged_model_params(
            model_id, [LoggedModelParameter(k, str(v)) for k, v in params.items()]
        )
