"""Fluent logging of params, metrics, tags, inputs and outputs to the active run.

Without an active run (and no `run_id`), a run is started, as MLflow does. Metrics and tags
are queued and written in batches in the background; `flush_async_logging` waits for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mltrail._time import now_ms
from mltrail.entities import (
    Dataset,
    DatasetInput,
    InputTag,
    LoggedModelInput,
    LoggedModelOutput,
    Param,
    RunTag,
)
from mltrail.tracking import _values, batching
from mltrail.tracking.batching import RunOperations
from mltrail.tracking.fluent_runs import target

DATASET_CONTEXT_TAG = "mlflow.data.context"


def log_param(key: str, value: Any, synchronous: bool | None = None) -> Any:
    """Log one param of the active run and return its value."""
    client, run_id = target(None)
    return client.log_param(run_id, key, value)


def log_params(
    params: Mapping[str, Any], synchronous: bool | None = None, run_id: str | None = None
) -> None:
    client, run = target(run_id)
    client.log_batch(run, params=[Param(k, v) for k, v in params.items()])


def log_metric(
    key: str,
    value: float,
    step: int | None = None,
    synchronous: bool | None = None,
    timestamp: int | None = None,
    run_id: str | None = None,
    model_id: str | None = None,
    dataset: Any = None,
) -> RunOperations | None:
    client, run = target(run_id)
    return client.log_metric(
        run,
        key,
        value,
        timestamp,
        step,
        synchronous,
        dataset_name=dataset.name if dataset is not None else None,
        dataset_digest=dataset.digest if dataset is not None else None,
        model_id=model_id,
    )


def log_metrics(
    metrics: Mapping[str, float],
    step: int | None = None,
    synchronous: bool | None = None,
    run_id: str | None = None,
    timestamp: int | None = None,
    model_id: str | None = None,
    dataset: Any = None,
) -> RunOperations | None:
    """Log several metrics at one step; they share one timestamp."""
    client, run = target(run_id)
    when = now_ms() if timestamp is None else timestamp
    items = [
        _values.metric(
            key,
            value,
            when,
            step,
            model_id=model_id,
            dataset_name=dataset.name if dataset is not None else None,
            dataset_digest=dataset.digest if dataset is not None else None,
        )
        for key, value in metrics.items()
    ]
    return client.log_batch(run, metrics=items, synchronous=synchronous)


def set_tag(key: str, value: Any, synchronous: bool | None = None) -> RunOperations | None:
    client, run = target(None)
    return client.set_tag(run, key, value, synchronous)


def set_tags(tags: Mapping[str, Any], synchronous: bool | None = None) -> RunOperations | None:
    client, run = target(None)
    return client.log_batch(
        run, tags=[RunTag(k, v) for k, v in tags.items()], synchronous=synchronous
    )


def delete_tag(key: str) -> None:
    client, run = target(None)
    client.delete_tag(run, key)


def log_input(
    dataset: Any = None,
    context: str | None = None,
    tags: Mapping[str, str] | None = None,
    model: LoggedModelInput | None = None,
) -> None:
    """Record that the active run used `dataset` (a `mltrail.data` dataset or an entity)."""
    log_inputs(
        [dataset] if dataset is not None else None,
        [context],
        [tags],
        [model] if model is not None else None,
    )


def log_inputs(
    datasets: Sequence[Any] | None = None,
    contexts: Sequence[str | None] | None = None,
    tags_list: Sequence[Mapping[str, str] | None] | None = None,
    models: Sequence[LoggedModelInput | None] | None = None,
) -> None:
    client, run = target(None)
    inputs = [
        _dataset_input(dataset, _nth(contexts, i), _nth(tags_list, i))
        for i, dataset in enumerate(datasets or ())
        if dataset is not None
    ]
    model_inputs = [m for m in models or () if m is not None]
    if inputs or model_inputs:
        client.log_inputs(run, inputs, model_inputs)


def log_outputs(models: Sequence[LoggedModelOutput] | None = None) -> None:
    client, run = target(None)
    client.log_outputs(run, list(models or ()))


def flush_async_logging() -> None:
    """Write everything queued by logging calls; raises a failed background write."""
    batching.flush_all()


def _dataset_input(
    dataset: Any, context: str | None, tags: Mapping[str, str] | None
) -> DatasetInput:
    entity: Dataset = dataset.to_entity() if hasattr(dataset, "to_entity") else dataset
    input_tags = [InputTag(str(k), str(v)) for k, v in (tags or {}).items()]
    if context:
        input_tags.append(InputTag(DATASET_CONTEXT_TAG, context))
    return DatasetInput(entity, tuple(input_tags))


def _nth(values: Sequence[Any] | None, index: int) -> Any:
    return values[index] if values is not None and index < len(values) else None
