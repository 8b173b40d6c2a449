"""Writing what autologging found to a run: params, metrics, tags, datasets, artifacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mltrail.tracking.client import MltrailClient

# MLflow's limit on a param value; longer values (a Pipeline's `steps`) are cut, not refused.
MAX_PARAM_LENGTH = 6000
INPUT_EXAMPLE_ROWS = 5


def client() -> MltrailClient:
    from mltrail.tracking import context

    return context.current_client()


def log_params(run_id: str, params: Mapping[str, Any]) -> None:
    from mltrail.entities import Param

    items = [Param(str(k), str(v)[:MAX_PARAM_LENGTH]) for k, v in params.items()]
    client().log_batch(run_id, params=items, synchronous=True)


def log_metrics(run_id: str, metrics: Mapping[str, float], step: int = 0) -> None:
    from mltrail._time import now_ms
    from mltrail.entities import Metric

    now = now_ms()
    items = [Metric(k, float(v), now, step) for k, v in metrics.items()]
    client().log_batch(run_id, metrics=items, synchronous=True)


def set_tags(run_id: str, tags: Mapping[str, Any]) -> None:
    from mltrail.entities import RunTag

    items = [RunTag(str(k), str(v)) for k, v in tags.items()]
    client().log_batch(run_id, tags=items, synchronous=True)


def dataset_of(features: Any, targets: Any = None) -> Any:
    """A `mltrail.data` dataset for training data; None for types it cannot describe."""
    import mltrail.data

    if type(features).__module__.startswith("pandas"):
        if not hasattr(features, "columns"):
            return None
        return mltrail.data.from_pandas(features)
    import numpy as np

    if type(features).__module__.startswith("scipy"):
        return None  # sparse matrices
    array = np.asarray(features)
    if array.dtype == object:
        return None
    target_array = None if targets is None else np.asarray(targets)
    return mltrail.data.from_numpy(array, targets=target_array)


def log_dataset(run_id: str, dataset: Any, context: str) -> None:
    from mltrail.entities import DatasetInput, InputTag

    tags = (InputTag("mlflow.data.context", context),)
    client().log_inputs(run_id, [DatasetInput(dataset.to_entity(), tags)])


def first_rows(features: Any, rows: int = INPUT_EXAMPLE_ROWS) -> Any:
    """The first rows of training data, as an input example."""
    if hasattr(features, "iloc"):
        return features.iloc[:rows]
    if hasattr(features, "tocsr"):
        return features.tocsr()[:rows]
    import numpy as np

    return np.asarray(features)[:rows]
