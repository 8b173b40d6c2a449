"""mltrail: a fast, MLflow-compatible machine-learning lifecycle platform.

``import mltrail as mlflow`` runs MLflow code unchanged. Every public name loads on first use
(module ``__getattr__``), so importing the package is quick and pulls in no heavy libraries.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_FLUENT = "mltrail.tracking.fluent"
_URIS = "mltrail.tracking.uris"
_SYSTEM_METRICS = "mltrail.system_metrics"

# public name -> module defining it. To publish a name, add it here, to __all__ and to the
# pinned list in tests/test_public_api.py (which also checks these three agree).
_LAZY_NAMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "ActiveRun",
            "active_run",
            "create_experiment",
            "delete_experiment",
            "delete_experiment_tag",
            "delete_run",
            "delete_tag",
            "end_run",
            "flush_async_logging",
            "get_artifact_uri",
            "get_experiment",
            "get_experiment_by_name",
            "get_parent_run",
            "get_run",
            "last_active_run",
            "load_table",
            "log_artifact",
            "log_artifacts",
            "log_dict",
            "log_figure",
            "log_image",
            "log_input",
            "log_inputs",
            "log_metric",
            "log_metrics",
            "log_outputs",
            "log_param",
            "log_params",
            "log_stream",
            "log_table",
            "log_text",
            "restore_experiment",
            "restore_run",
            "search_experiments",
            "search_runs",
            "set_experiment",
            "set_experiment_tag",
            "set_experiment_tags",
            "set_tag",
            "set_tags",
            "start_run",
        ),
        _FLUENT,
    ),
    **dict.fromkeys(
        (
            "get_registry_uri",
            "get_tracking_uri",
            "is_tracking_uri_set",
            "set_registry_uri",
            "set_tracking_uri",
        ),
        _URIS,
    ),
    **dict.fromkeys(
        (
            "disable_system_metrics_logging",
            "enable_system_metrics_logging",
            "set_system_metrics_node_id",
            "set_system_metrics_samples_before_logging",
            "set_system_metrics_sampling_interval",
        ),
        _SYSTEM_METRICS,
    ),
    **dict.fromkeys(
        (
            "register_model",
            "search_model_versions",
            "search_registered_models",
            "set_model_version_tag",
        ),
        "mltrail.tracking.fluent_registry",
    ),
    "run": "mltrail.projects",
    "Image": "mltrail.tracking.multimedia",
    "MlflowClient": "mltrail.tracking.client",
    "MltrailClient": "mltrail.tracking.client",
    "MlflowException": "mltrail.exceptions",
    "MltrailError": "mltrail.errors",
}

# Besides these names, any `mltrail.<module>` (artifacts, entities, tracking, sklearn...)
# resolves on attribute access.
__all__ = [
    "ActiveRun",
    "Image",
    "MlflowClient",
    "MlflowException",
    "MltrailClient",
    "MltrailError",
    "active_run",
    "artifacts",
    "autolog",
    "create_experiment",
    "data",
    "delete_experiment",
    "delete_experiment_tag",
    "delete_run",
    "delete_tag",
    "disable_system_metrics_logging",
    "enable_system_metrics_logging",
    "end_run",
    "entities",
    "exceptions",
    "flush_async_logging",
    "get_artifact_uri",
    "get_experiment",
    "get_experiment_by_name",
    "get_parent_run",
    "get_registry_uri",
    "get_run",
    "get_tracking_uri",
    "is_tracking_uri_set",
    "last_active_run",
    "load_table",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_input",
    "log_inputs",
    "log_metric",
    "log_metrics",
    "log_outputs",
    "log_param",
    "log_params",
    "log_stream",
    "log_table",
    "log_text",
    "projects",
    "register_model",
    "restore_experiment",
    "restore_run",
    "run",
    "search_experiments",
    "search_model_versions",
    "search_registered_models",
    "search_runs",
    "set_experiment",
    "set_experiment_tag",
    "set_experiment_tags",
    "set_model_version_tag",
    "set_registry_uri",
    "set_system_metrics_node_id",
    "set_system_metrics_samples_before_logging",
    "set_system_metrics_sampling_interval",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "start_run",
    "tracking",
]


def __getattr__(name: str) -> Any:
    module = _LAZY_NAMES.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
    elif name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        value = _submodule(name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def _submodule(name: str) -> Any:
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
