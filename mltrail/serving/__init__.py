"""The model scoring server (`mltrail models serve`): MLflow's `/invocations` protocol."""

from __future__ import annotations

from mltrail.serving.app import create_scoring_app

__all__ = ["create_scoring_app"]
