"""`HTTPDatasetSource` at MLflow's import path (`mlflow.data.http_dataset_source`)."""

from mltrail.data.sources import HTTPDatasetSource

__all__ = ["HTTPDatasetSource"]
