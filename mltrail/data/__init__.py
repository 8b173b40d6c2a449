"""Datasets a run can log as inputs (``mlflow.data``): `from_pandas`, `from_numpy`, their
sources, and the `Dataset` base class for custom datasets. pandas/numpy load on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mltrail.data.dataset import Dataset
from mltrail.data.sources import (
    ArtifactDatasetSource,
    CodeDatasetSource,
    DatasetSource,
    HTTPDatasetSource,
    get_dataset_source_from_json,
    resolve_source,
)
from mltrail.entities import Dataset as DatasetEntity
from mltrail.entities import DatasetInput
from mltrail.errors import ErrorCode, MltrailError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from mltrail.data.numpy_dataset import NumpyDataset
    from mltrail.data.pandas_dataset import PandasDataset

__all__ = [
    "ArtifactDatasetSource",
    "CodeDatasetSource",
    "Dataset",
    "DatasetInput",
    "DatasetSource",
    "HTTPDatasetSource",
    "NumpyDataset",
    "PandasDataset",
    "from_numpy",
    "from_pandas",
    "get_dataset_source_from_json",
    "get_source",
]

_LAZY_CLASSES = {
    "PandasDataset": "mltrail.data.pandas_dataset",
    "NumpyDataset": "mltrail.data.numpy_dataset",
}


def from_pandas(
    df: pd.DataFrame,
    source: str | DatasetSource | None = None,
    targets: str | None = None,
    name: str | None = None,
    digest: str | None = None,
    predictions: str | None = None,
) -> PandasDataset:
    """A dataset for `df`; `source` is where it was read from (default: this code)."""
    from mltrail.data.pandas_dataset import PandasDataset

    return PandasDataset(
        df,
        resolve_source(source),
        targets=targets,
        name=name,
        digest=digest,
        predictions=predictions,
    )


def from_numpy(
    features: np.ndarray[Any, Any] | Mapping[str, np.ndarray[Any, Any]],
    source: str | DatasetSource | None = None,
    targets: np.ndarray[Any, Any] | Mapping[str, np.ndarray[Any, Any]] | None = None,
    name: str | None = None,
    digest: str | None = None,
) -> NumpyDataset:
    """A dataset for an array (or dict of named arrays) of features, with optional targets."""
    from mltrail.data.numpy_dataset import NumpyDataset

    return NumpyDataset(features, resolve_source(source), targets=targets, name=name, digest=digest)


def get_source(dataset: Dataset | DatasetEntity | DatasetInput) -> DatasetSource:
    """The source of a dataset object, or of a dataset read back from a run's inputs."""
    if isinstance(dataset, Dataset):
        return dataset.source
    if isinstance(dataset, DatasetInput):
        dataset = dataset.dataset
    if isinstance(dataset, DatasetEntity):
        return get_dataset_source_from_json(dataset.source, dataset.source_type)
    raise MltrailError(
        f"get_source needs a Dataset, a dataset entity or a DatasetInput, "
        f"got {type(dataset).__name__}.",
        ErrorCode.INVALID_PARAMETER_VALUE,
    )


def __getattr__(name: str) -> Any:
    if name in _LAZY_CLASSES:
        import importlib

        return getattr(importlib.import_module(_LAZY_CLASSES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
