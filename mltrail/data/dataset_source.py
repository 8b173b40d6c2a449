"""`DatasetSource` at MLflow's import path (`mlflow.data.dataset_source`)."""

from mltrail.data.sources import DatasetSource

__all__ = ["DatasetSource"]
