"""The client's run-data methods: params, metrics, tags, metric history, inputs and outputs.

Metrics and tags go through the batcher unless `synchronous=True`; params are written at once
because changing a logged param must fail at the call, as in MLflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mltrail.entities import (
    DatasetInput,
    LoggedModelInput,
    LoggedModelOutput,
    Metric,
    Param,
    RunTag,
)
from mltrail.store.tracking import validation
from mltrail.tracking import _values
from mltrail.tracking._client_base import ClientBase
from mltrail.tracking.batching import Item, RunOperations


class RunDataMethods(ClientBase):
    def log_param(self, run_id: str, key: str, value: Any, synchronous: bool | None = None) -> Any:
        """Log one param and return its value; re-logging a different value raises."""
        self._handle.batcher.write_now(
            run_id, (_values.param(key, value, truncate=self._truncate),)
        )
        return value

    def log_metric(
        self,
        run_id: str,
        key: str,
        value: float,
        timestamp: int | None = None,
        step: int | None = None,
        synchronous: bool | None = None,
        dataset_name: str | None = None,
        dataset_digest: str | None = None,
        model_id: str | None = None,
    ) -> RunOperations | None:
        item = _values.metric(
            key,
            value,
            timestamp,
            step,
            model_id=model_id,
            dataset_name=dataset_name,
            dataset_digest=dataset_digest,
        )
        return self._write(run_id, (item,), synchronous)

    def set_tag(
        self, run_id: str, key: str, value: Any, synchronous: bool | None = None
    ) -> RunOperations | None:
        return self._write(run_id, (_values.tag(key, value, truncate=self._truncate),), synchronous)

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
        synchronous: bool | None = None,
    ) -> RunOperations | None:
        """Log any number of items; they are split into store-sized batches as needed."""
        items: list[Item] = [_values.checked_metric(i, m) for i, m in enumerate(metrics)]
        items += validation.clean_params(params, truncate=self._truncate)
        items += validation.clean_tags(tags, truncate=self._truncate)
        if not items:
            return None
        return self._write(run_id, items, True if params else synchronous)

    def delete_tag(self, run_id: str, key: str) -> None:
        self._read_store().delete_tag(run_id, key)

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every value logged for one metric, ordered by step then timestamp."""
        store = self._read_store()
        # The first page is the result (as in MLflow: a list, with a `token` of None at the end);
        # later pages are appended to it, so a one-page history is never copied.
        history = store.get_metric_history(run_id, key)
        token = history.token
        while token:
            page = store.get_metric_history(run_id, key, page_token=token)
            history.extend(page)
            token = page.token
        history.token = None
        return history

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] | None = None,
        models: Sequence[LoggedModelInput] | None = None,
    ) -> None:
        self._read_store().log_inputs(run_id, datasets or (), models or ())

    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None:
        self._read_store().log_outputs(run_id, models)
