"""`CodeDatasetSource` at MLflow's import path (`mlflow.data.code_dataset_source`)."""

from mltrail.data.sources import CodeDatasetSource

__all__ = ["CodeDatasetSource"]
