"""The tracking store interface, one small Protocol per aggregate.

Every backend (SQL, REST) implements `TrackingStore`; the contract suite in
`mltrail.testing.tracking_contract` holds them all to the same behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

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

SEARCH_MAX_RESULTS_DEFAULT = 1000
SEARCH_MAX_RESULTS_THRESHOLD = 50000
GET_METRIC_HISTORY_MAX_RESULTS = 25000
SEARCH_LOGGED_MODELS_MAX_RESULTS_DEFAULT = 100


class ExperimentStore(Protocol):
    def create_experiment(
        self, name: str, artifact_location: str | None = None, tags: Sequence[ExperimentTag] = ()
    ) -> str:
        """Create an experiment and return its id; names are unique (RESOURCE_ALREADY_EXISTS)."""
        ...

    def get_experiment(self, experiment_id: str) -> Experiment: ...

    def get_experiment_by_name(self, name: str) -> Experiment | None: ...

    def search_experiments(
        self,
        view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]: ...

    def delete_experiment(self, experiment_id: str) -> None:
        """Soft delete: the experiment and its runs move to the `deleted` lifecycle stage."""
        ...

    def restore_experiment(self, experiment_id: str) -> None: ...

    def rename_experiment(self, experiment_id: str, new_name: str) -> None: ...

    def set_experiment_tag(self, experiment_id: str, tag: ExperimentTag) -> None: ...

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None: ...


class RunStore(Protocol):
    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int | None,
        tags: Sequence[RunTag],
        run_name: str | None,
    ) -> Run:
        """Create a RUNNING run; without a name one is generated and kept in `mlflow.runName`."""
        ...

    def get_run(self, run_id: str) -> Run: ...

    def update_run_info(
        self, run_id: str, run_status: str | None, end_time: int | None, run_name: str | None
    ) -> RunInfo: ...

    def delete_run(self, run_id: str) -> None: ...

    def restore_run(self, run_id: str) -> None: ...

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        run_view_type: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]: ...


class RunDataStore(Protocol):
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        """Record all or nothing: a rejected batch stores none of its items."""
        ...

    def delete_tag(self, run_id: str, key: str) -> None: ...

    def get_metric_history(
        self,
        run_id: str,
        metric_key: str,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> PagedList[Metric]:
        """Every logged value of one metric, ordered by step then timestamp."""
        ...

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        models: Sequence[LoggedModelInput] = (),
    ) -> None: ...

    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None: ...


@runtime_checkable
class MaintenanceStore(Protocol):
    """Permanent deletion, used by `mltrail gc`.

    `older_than_ms` keeps items deleted less than that long ago; `purge_*` refuse items that
    are not soft-deleted (INVALID_PARAMETER_VALUE) and remove everything they own.
    """

    def deleted_run_ids(self, older_than_ms: int | None = None) -> list[str]: ...

    def purge_run(self, run_id: str) -> None: ...

    def deleted_experiment_ids(self, older_than_ms: int | None = None) -> list[str]: ...

    def purge_experiment(self, experiment_id: str) -> None: ...


@runtime_checkable
class LoggedModelStore(Protocol):
    """MLflow 3 logged models: `m-<32 hex>` ids, artifacts under the experiment's `models/`."""

    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[LoggedModelTag] = (),
        params: Sequence[LoggedModelParameter] = (),
        model_type: str | None = None,
    ) -> LoggedModel:
        """Create a PENDING model; without a name one is generated."""
        ...

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel: ...

    def finalize_logged_model(self, model_id: str, status: str) -> LoggedModel:
        """Set the final status (READY or UPLOAD_FAILED)."""
        ...

    def delete_logged_model(self, model_id: str) -> None:
        """Soft delete; deleted models are hidden from get (unless asked) and search."""
        ...

    def set_logged_model_tags(self, model_id: str, tags: Sequence[LoggedModelTag]) -> None: ...

    def delete_logged_model_tag(self, model_id: str, key: str) -> None: ...

    def log_logged_model_params(
        self, model_id: str, params: Sequence[LoggedModelParameter]
    ) -> None: ...

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = None,
        order_by: Sequence[Mapping[str, Any]] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        """Active models of the experiments, newest first unless `order_by` says otherwise.

        `order_by` items are MLflow's `{"field_name": ..., "ascending": bool}`.
        """
        ...


@runtime_checkable
class TrackingStore(ExperimentStore, RunStore, RunDataStore, Protocol):
    """Everything a tracking client needs."""
