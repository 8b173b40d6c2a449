"""Request messages of the tracking endpoints, one frozen dataclass per endpoint.

Field names and wire types are MLflow's (``service.proto``); a field without a default is
required. Range checks that MLflow does before touching the store live in ``__post_init__``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mltrail.entities import (
    DatasetInput,
    ExperimentTag,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelStatus,
    LoggedModelTag,
    Metric,
    Param,
    RunStatus,
    RunTag,
    ViewType,
)
from mltrail.errors import InvalidParameter

SEARCH_MAX_RESULTS_DEFAULT = 1000
SEARCH_MAX_RESULTS_THRESHOLD = 50000
LOGGED_MODELS_MAX_RESULTS_DEFAULT = 50
BULK_HISTORY_MAX_RESULTS = 2500
BULK_HISTORY_MAX_RUNS = 100
GET_METRIC_HISTORY_MAX_RESULTS = 25000


def check_max_results(value: int, limit: int) -> None:
    if value < 1:
        raise InvalidParameter(
            f"Invalid value {value} for parameter 'max_results' supplied. "
            "It must be a positive integer"
        )
    if value > limit:
        raise InvalidParameter(
            f"Invalid value {value} for parameter 'max_results' supplied. "
            f"It must be at most {limit}"
        )


# --- experiments ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateExperiment:
    name: str
    artifact_location: str | None = None
    tags: tuple[ExperimentTag, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExperimentRef:
    """get, delete and restore."""

    experiment_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetExperimentByName:
    experiment_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchExperiments:
    max_results: int = SEARCH_MAX_RESULTS_DEFAULT
    page_token: str | None = None
    filter: str | None = None
    order_by: tuple[str, ...] = ()
    view_type: ViewType = ViewType.ACTIVE_ONLY

    def __post_init__(self) -> None:
        check_max_results(self.max_results, SEARCH_MAX_RESULTS_THRESHOLD)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateExperiment:
    experiment_id: str
    new_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetExperimentTag:
    experiment_id: str
    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteExperimentTag:
    experiment_id: str
    key: str


# --- runs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRef:
    """Any request naming a run by ``run_id`` or its deprecated twin ``run_uuid``."""

    run_id: str | None = None
    run_uuid: str | None = None

    @property
    def id(self) -> str:
        run_id = self.run_id or self.run_uuid
        if not run_id:
            raise InvalidParameter("Missing value for required parameter 'run_id'.")
        return run_id


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRun:
    experiment_id: str | None = None
    user_id: str | None = None
    run_name: str | None = None
    start_time: int | None = None
    tags: tuple[RunTag, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateRun(RunRef):
    status: RunStatus | None = None
    end_time: int | None = None
    run_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LogMetric(RunRef):
    key: str
    value: float
    timestamp: int
    step: int = 0
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None

    def to_metric(self) -> Metric:
        return Metric(
            key=self.key,
            value=self.value,
            timestamp=self.timestamp,
            step=self.step,
            model_id=self.model_id,
            dataset_name=self.dataset_name,
            dataset_digest=self.dataset_digest,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LogParam(RunRef):
    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTag(RunRef):
    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteTag:
    run_id: str
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchRuns:
    experiment_ids: tuple[str, ...] = ()
    filter: str | None = None
    run_view_type: ViewType = ViewType.ACTIVE_ONLY
    max_results: int = SEARCH_MAX_RESULTS_DEFAULT
    order_by: tuple[str, ...] = ()
    page_token: str | None = None

    def __post_init__(self) -> None:
        check_max_results(self.max_results, SEARCH_MAX_RESULTS_THRESHOLD)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogBatch:
    run_id: str
    metrics: tuple[Metric, ...] = ()
    params: tuple[Param, ...] = ()
    tags: tuple[RunTag, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LogInputs:
    run_id: str
    datasets: tuple[DatasetInput, ...] = ()
    models: tuple[LoggedModelInput, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LogOutputs:
    run_id: str
    models: tuple[LoggedModelOutput, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LogModel:
    run_id: str
    model_json: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetMetricHistory(RunRef):
    metric_key: str
    page_token: str | None = None
    max_results: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetMetricHistoryBulkInterval:
    run_ids: tuple[str, ...]
    metric_key: str
    start_step: int | None = None
    end_step: int | None = None
    max_results: int = BULK_HISTORY_MAX_RESULTS

    def __post_init__(self) -> None:
        if not self.run_ids:
            raise InvalidParameter("Missing value for required parameter 'run_ids'.")
        if len(self.run_ids) > BULK_HISTORY_MAX_RUNS:
            raise InvalidParameter(
                f"GetMetricHistoryBulkInterval request must specify at most "
                f"{BULK_HISTORY_MAX_RUNS} run_ids. Received {len(self.run_ids)} run_ids."
            )
        check_max_results(self.max_results, BULK_HISTORY_MAX_RESULTS)
        if (self.start_step is None) != (self.end_step is None):
            raise InvalidParameter(
                "If either start step or end step are specified, both must be specified."
            )
        if (
            self.start_step is not None
            and self.end_step is not None
            and (self.start_step > self.end_step)
        ):
            raise InvalidParameter("end_step must be greater than start_step.")


@dataclass(frozen=True, slots=True, kw_only=True)
class GetMetricHistoryBulk:
    """The UI's full histories of one metric for several runs (``run_id`` is repeated)."""

    run_id: tuple[str, ...]
    metric_key: str
    max_results: int = GET_METRIC_HISTORY_MAX_RESULTS

    def __post_init__(self) -> None:
        if not self.run_id:
            raise InvalidParameter("Missing value for required parameter 'run_id'.")
        if len(self.run_id) > BULK_HISTORY_MAX_RUNS:
            raise InvalidParameter(
                f"GetMetricHistoryBulk request cannot specify more than "
                f"{BULK_HISTORY_MAX_RUNS} run_ids. Received {len(self.run_id)} run_ids."
            )
        check_max_results(self.max_results, GET_METRIC_HISTORY_MAX_RESULTS)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListArtifacts(RunRef):
    path: str | None = None
    page_token: str | None = None


# --- logged models -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateLoggedModel:
    experiment_id: str
    name: str | None = None
    model_type: str | None = None
    source_run_id: str | None = None
    params: tuple[LoggedModelParameter, ...] = ()
    tags: tuple[LoggedModelTag, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedModelRef:
    """get and delete; ``model_id`` comes from the URL path."""

    model_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetLoggedModel(LoggedModelRef):
    allow_deleted: bool = False  # mltrail's extension, for the REST store


@dataclass(frozen=True, slots=True, kw_only=True)
class FinalizeLoggedModel(LoggedModelRef):
    status: LoggedModelStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLoggedModelTags(LoggedModelRef):
    tags: tuple[LoggedModelTag, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteLoggedModelTag(LoggedModelRef):
    tag_key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LogLoggedModelParams(LoggedModelRef):
    params: tuple[LoggedModelParameter, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetFilter:
    dataset_name: str
    dataset_digest: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedModelOrderBy:
    field_name: str
    ascending: bool = True
    dataset_name: str | None = None
    dataset_digest: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchLoggedModels:
    experiment_ids: tuple[str, ...] = ()
    filter: str | None = None
    datasets: tuple[DatasetFilter, ...] = ()
    max_results: int = LOGGED_MODELS_MAX_RESULTS_DEFAULT
    order_by: tuple[LoggedModelOrderBy, ...] = ()
    page_token: str | None = None

    def __post_init__(self) -> None:
        check_max_results(self.max_results, SEARCH_MAX_RESULTS_THRESHOLD)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListLoggedModelArtifacts(LoggedModelRef):
    artifact_directory_path: str | None = None
    page_token: str | None = None


# --- artifact proxy multipart uploads ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MultipartPart:
    part_number: int
    etag: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateMultipartUpload:
    path: str | None = None
    num_parts: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteMultipartUpload:
    path: str | None = None
    upload_id: str
    parts: tuple[MultipartPart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AbortMultipartUpload:
    path: str | None = None
    upload_id: str
