"""mltrail: a fast, MLflow-compatible machine-learning lifecycle platform."""

__version__ = "0.1.0"
