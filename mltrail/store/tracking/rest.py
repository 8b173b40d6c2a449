"""`RestTrackingStore`: the tracking store of an ``http(s)://`` tracking server.

Implements `TrackingStore` and `LoggedModelStore` by calling MLflow's REST API with the
`mltrail.wire` codecs, so it talks to an mltrail server or the official ``mlflow server``
alike. Batches are validated here with the embedded store's rules, so bad input fails fast
with the same messages and a rejected batch never leaves the machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.entities import (
    DatasetInput,
    Experiment,
    ExperimentTag,
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelTag,
    Metric,
    PagedList,
    Param,
    Run,
    RunInfo,
    RunTag,
    ViewType,
)
from mltrail.errors import MltrailError
from mltrail.settings import Settings
from mltrail.store.rest_client import RestClient
from mltrail.store.tracking.base import SEARCH_MAX_RESULTS_DEFAULT
from mltrail.store.tracking.validation import check_dataset_inputs, clean_batch
from mltrail.wire import codecs

API = "/api/2.0/mlflow"
Json = dict[str, Any]


def _set_fields(body: Mapping[str, Any]) -> Json:
    """Unset (None) fields are left out, as proto-JSON writers do."""
    return {k: v for k, v in body.items() if v is not None}


def _pairs(items: Sequence[Any]) -> list[Json]:
    return [{"key": item.key, "value": item.value} for item in items]


def _metric(metric: Metric) -> Json:
    return codecs.metric_to_dict(metric, with_run_id=False)


def _dataset_input(item: DatasetInput) -> Json:
    return {"dataset": codecs.dataset_to_dict(item.dataset), "tags": _pairs(item.tags)}


class RestTrackingStore:
    """A tracking server's API as a `TrackingStore`; `uri` is the server's base URL."""

    def __init__(
        self,
        uri: str,
        artifact_root: str | None = None,
        *,
        settings: Settings | None = None,
        client: RestClient | None = None,
    ) -> None:
        self.uri = uri.rstrip("/")
        self.artifact_root = artifact_root  # the server decides; kept for interface parity
        self.rest = client or RestClient(self.uri, settings)

    def __repr__(self) -> str:
        return f"RestTrackingStore({self.uri!r})"

    def close(self) -> None:
        self.rest.close()

    def _post(self, path: str, body: Mapping[str, Any]) -> Json:
        return self.rest.call("POST", API + path, _set_fields(body))

    def _get(self, path: str, **params: Any) -> Json:
        return self.rest.call("GET", API + path, params=params)

    # -- experiments ---------------------------------------------------------------------------

    def create_experiment(
        self, name: str, artifact_location: str | None = None, tags: Sequence[ExperimentTag] = ()
    ) -> str:
        body = {"name": name, "artifact_location": artifact_location, "tags": _pairs(tags)}
        return str(self._post("/experiments/create", body)["experiment_id"])

    def get_experiment(self, experiment_id: str) -> Experiment:
        found = self._get("/experiments/get", experiment_id=experiment_id)
        return codecs.experiment_from_dict(found["experiment"])

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        try:
            found = self._get("/experiments/get-by-name", experiment_name=name)
        except MltrailError as exc:
            if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise
        return codecs.experiment_from_dict(found["experiment"])

    def search_experiments(
        self,
        view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        body = {
            "view_type": ViewType(view_type).name,
            "max_results": max_results,
            "filter": filter_string,
            "order_by": list(order_by or ()),
            "page_token": page_token,
        }
        found = self._post("/experiments/search", body)
        experiments = [codecs.experiment_from_dict(e) for e in found.get("experiments", ())]
        return PagedList(experiments, found.get("next_page_token") or None)

    def delete_experiment(self, experiment_id: str) -> None:
        self._post("/experiments/delete", {"experiment_id": experiment_id})

    def restore_experiment(self, experiment_id: str) -> None:
        self._post("/experiments/restore", {"experiment_id": experiment_id})

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        self._post("/experiments/update", {"experiment_id": experiment_id, "new_name": new_name})

    def set_experiment_tag(self, experiment_id: str, tag: ExperimentTag) -> None:
        body = {"experiment_id": experiment_id, "key": tag.key, "value": tag.value}
        self._post("/experiments/set-experiment-tag", body)

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        self._post(
            "/experiments/delete-experiment-tag", {"experiment_id": experiment_id, "key": key}
        )

    # -- runs ----------------------------------------------------------------------------------

    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int | None,
        tags: Sequence[RunTag],
        run_name: str | None,
    ) -> Run:
        body = {
            "experiment_id": experiment_id,
            "user_id": user_id,
            "start_time": start_time,
            "tags": _pairs(tags),
            "run_name": run_name,
        }
        return codecs.run_from_dict(self._post("/runs/create", body)["run"])

    def get_run(self, run_id: str) -> Run:
        return codecs.run_from_dict(self._get("/runs/get", run_id=run_id)["run"])

    def update_run_info(
        self, run_id: str, run_status: str | None, end_time: int | None, run_name: str | None
    ) -> RunInfo:
        body = {
            "run_id": run_id,
            "status": None if run_status is None else str(run_status),
            "end_time": end_time,
            "run_name": run_name,
        }
        return codecs.run_info_from_dict(self._post("/runs/update", body)["run_info"])

    def delete_run(self, run_id: str) -> None:
        self._post("/runs/delete", {"run_id": run_id})

    def restore_run(self, run_id: str) -> None:
        self._post("/runs/restore", {"run_id": run_id})

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        body = {
            "experiment_ids": list(experiment_ids),
            "filter": filter_string,
            "run_view_type": ViewType(run_view_type).name,
            "max_results": max_results,
            "order_by": list(order_by or ()),
            "page_token": page_token,
        }
        found = self._post("/runs/search", body)
        runs = [codecs.run_from_dict(r) for r in found.get("runs", ())]
        return PagedList(runs, found.get("next_page_token") or None)

    # -- run data ------------------------------------------------------------------------------

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        # Same checks as the embedded store, before sending; the server applies its own
        # truncation policy to the values as sent.
        clean_batch(metrics, params, tags, truncate=True)
        body = {
            "run_id": run_id,
            "metrics": [_metric(m) for m in metrics],
            "params": _pairs(params),
            "tags": _pairs(tags),
        }
        self._post("/runs/log-batch", body)

    def delete_tag(self, run_id: str, key: str) -> None:
        self._post("/runs/delete-tag", {"run_id": run_id, "key": key})

    def get_metric_history(
        self,
        run_id: str,
        metric_key: str,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Metric]:
        found = self._get(
            "/metrics/get-history",
            run_id=run_id,
            metric_key=metric_key,
            max_results=max_results,
            page_token=page_token,
        )
        metrics = [codecs.metric_from_dict(m) for m in found.get("metrics", ())]
        return PagedList(metrics, found.get("next_page_token") or None)

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        models: Sequence[LoggedModelInput] = (),
    ) -> None:
        check_dataset_inputs(datasets)
        body = {
            "run_id": run_id,
            "datasets": [_dataset_input(d) for d in datasets],
            "models": [{"model_id": m.model_id} for m in models],
        }
        self._post("/runs/log-inputs", body)

    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None:
        body = {
            "run_id": run_id,
            "models": [{"model_id": m.model_id, "step": m.step} for m in models],
        }
        self._post("/runs/outputs", body)

    # -- logged models -------------------------------------------------------------------------

    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[LoggedModelTag] = (),
        params: Sequence[LoggedModelParameter] = (),
        model_type: str | None = None,
    ) -> LoggedModel:
        body = {
            "experiment_id": experiment_id,
            "name": name,
            "source_run_id": source_run_id,
            "tags": _pairs(tags),
            "params": _pairs(params),
            "model_type": model_type,
        }
        return codecs.logged_model_from_dict(self._post("/logged-models", body)["model"])

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        params = {"allow_deleted": True} if allow_deleted else {}
        found = self._get(f"/logged-models/{model_id}", **params)
        return codecs.logged_model_from_dict(found["model"])

    def finalize_logged_model(self, model_id: str, status: str) -> LoggedModel:
        body = {"model_id": model_id, "status": f"{codecs.LOGGED_MODEL_STATUS_PREFIX}{status}"}
        found = self.rest.call("PATCH", f"{API}/logged-models/{model_id}", _set_fields(body))
        return codecs.logged_model_from_dict(found["model"])

    def delete_logged_model(self, model_id: str) -> None:
        self.rest.call("DELETE", f"{API}/logged-models/{model_id}", {"model_id": model_id})

    def set_logged_model_tags(self, model_id: str, tags: Sequence[LoggedModelTag]) -> None:
        body = {"model_id": model_id, "tags": _pairs(tags)}
        self.rest.call("PATCH", f"{API}/logged-models/{model_id}/tags", body)

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        path = f"{API}/logged-models/{model_id}/tags/{key}"
        self.rest.call("DELETE", path, {"model_id": model_id, "tag_key": key})

    def log_logged_model_params(
        self, model_id: str, params: Sequence[LoggedModelParameter]
    ) -> None:
        body = {"model_id": model_id, "params": _pairs(params)}
        self._post(f"/logged-models/{model_id}/params", body)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = None,
        order_by: Sequence[Mapping[str, Any]] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        body = {
            "experiment_ids": list(experiment_ids),
            "filter": filter_string,
            "max_results": max_results,
            "order_by": [dict(o) for o in order_by or ()],
            "page_token": page_token,
        }
        found = self._post("/logged-models/search", body)
        models = [codecs.logged_model_from_dict(m) for m in found.get("models", ())]
        return PagedList(models, found.get("next_page_token") or None)
