"""``mltrail.client.MlflowClient``: the tracking client at MLflow's import path."""

from __future__ import annotations

from mltrail.tracking.client import MlflowClient, MltrailClient

__all__ = ["MlflowClient", "MltrailClient"]
