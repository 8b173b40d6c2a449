"""`MlflowClient`: the explicit tracking API over one store (experiments, runs, data, artifacts).

The fluent API is a thin veneer over this class. Method names, arguments and return shapes are
MLflow's; run data methods live in `_client_logging`, artifact methods in `_client_artifacts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mltrail._time import now_ms
from mltrail.entities import Experiment, ExperimentTag, PagedList, Run, RunStatus, ViewType
from mltrail.store.tracking.base import SEARCH_MAX_RESULTS_DEFAULT
from mltrail.tracking import _values
from mltrail.tracking._client_artifacts import ArtifactMethods
from mltrail.tracking._client_logged_models import LoggedModelMethods
from mltrail.tracking._client_logging import RunDataMethods
from mltrail.tracking._client_registry import RegistryMethods

PARENT_RUN_ID_TAG = "mlflow.parentRunId"
USER_TAG = "mlflow.user"


class MltrailClient(RunDataMethods, ArtifactMethods, RegistryMethods, LoggedModelMethods):
    """A client for one tracking store: `MltrailClient(tracking_uri=None, registry_uri=None)`.

    Without `tracking_uri` it uses the process's tracking URI (`set_tracking_uri`, then
    MLTRAIL_TRACKING_URI / MLFLOW_TRACKING_URI, then ``./mltrail.db``).
    """

    # -- experiments ---------------------------------------------------------------------
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> str:
        experiment_tags = [ExperimentTag(k, str(v)) for k, v in (tags or {}).items()]
        return self._store.create_experiment(name, artifact_location, experiment_tags)

    def get_experiment(self, experiment_id: str) -> Experiment:
        return self._store.get_experiment(str(experiment_id))

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        return self._store.get_experiment_by_name(name)

    def search_experiments(
        self,
        view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int | None = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        return self._store.search_experiments(
            ViewType(view_type),
            SEARCH_MAX_RESULTS_DEFAULT if max_results is None else max_results,
            filter_string,
            order_by,
            page_token,
        )

    def delete_experiment(self, experiment_id: str) -> None:
        self._read_store().delete_experiment(str(experiment_id))
        self._handle.known_runs.clear()  # its runs are deleted with it

    def restore_experiment(self, experiment_id: str) -> None:
        self._store.restore_experiment(str(experiment_id))

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        self._store.rename_experiment(str(experiment_id), new_name)

    def set_experiment_tag(self, experiment_id: str, key: str, value: Any) -> None:
        self._store.set_experiment_tag(str(experiment_id), ExperimentTag(key, str(value)))

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        self._store.delete_experiment_tag(str(experiment_id), key)

    # -- runs ----------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str,
        start_time: int | None = None,
        tags: Mapping[str, Any] | None = None,
        run_name: str | None = None,
    ) -> Run:
        run_tags = _values.tags(tags, truncate=self._truncate)
        user_id = next((t.value for t in run_tags if t.key == USER_TAG), "unknown")
        run = self._store.create_run(
            str(experiment_id),
            user_id,
            now_ms() if start_time is None else start_time,
            run_tags,
            run_name,
        )
        self._handle.known_runs.add(run.info.run_id)
        return run

    def get_run(self, run_id: str) -> Run:
        return self._read_store().get_run(run_id)

    def update_run(self, run_id: str, status: str | None = None, name: str | None = None) -> None:
        new_status = _values.run_status(status) if status else None
        self._read_store().update_run_info(run_id, new_status, None, name)

    def set_terminated(
        self, run_id: str, status: str | None = None, end_time: int | None = None
    ) -> None:
        """End a run; its queued writes land first. A failed queued write is raised after."""
        final = _values.run_status(status or RunStatus.FINISHED)
        handle = self._handle

        def terminate() -> None:
            when = now_ms() if end_time is None else end_time
            handle.store.update_run_info(run_id, final, when, None)

        try:
            handle.batcher.flush()
        except Exception as lost_writes:
            # Still end the run, but report the lost writes first: they are the user's data.
            try:
                terminate()
            except Exception as also:
                lost_writes.add_note(f"Ending run {run_id} failed as well: {also}")
            raise
        terminate()

    def delete_run(self, run_id: str) -> None:
        self._read_store().delete_run(run_id)
        self._handle.known_runs.discard(run_id)

    def restore_run(self, run_id: str) -> None:
        self._store.restore_run(run_id)

    def search_runs(
        self,
        experiment_ids: str | Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        ids = (
            [experiment_ids]
            if isinstance(experiment_ids, str)
            else [str(i) for i in experiment_ids]
        )
        return self._read_store().search_runs(
            ids, filter_string, ViewType(run_view_type), max_results, order_by, page_token
        )

    def get_parent_run(self, run_id: str) -> Run | None:
        parent_id = self.get_run(run_id).data.tags.get(PARENT_RUN_ID_TAG)
        return self.get_run(parent_id) if parent_id else None


MlflowClient = MltrailClient
