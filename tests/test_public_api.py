"""The public surface of `import mltrail as mlflow`, pinned: adding or removing a name is a
deliberate change to this list."""

from __future__ import annotations

import importlib

import pytest

import mltrail

PUBLIC_NAMES = [
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

TRACKING_NAMES = [
    "MlflowClient",
    "MltrailClient",
    "get_registry_uri",
    "get_tracking_uri",
    "is_tracking_uri_set",
    "set_registry_uri",
    "set_tracking_uri",
]


def test_all_is_pinned() -> None:
    assert mltrail.__all__ == PUBLIC_NAMES
    assert importlib.import_module("mltrail.tracking").__all__ == TRACKING_NAMES


def test_lazy_table_matches_all() -> None:
    # Every published name is either loaded from its module or is a public submodule.
    lazy = set(mltrail._LAZY_NAMES)
    assert lazy <= set(PUBLIC_NAMES)
    for name in set(PUBLIC_NAMES) - lazy:
        assert importlib.import_module(f"mltrail.{name}") is getattr(mltrail, name)


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(mltrail, name) is not None
    assert name in dir(mltrail)


def test_names_are_the_same_objects_as_in_their_modules() -> None:
    from mltrail.errors import MltrailError
    from mltrail.tracking import fluent
    from mltrail.tracking.client import MltrailClient

    assert mltrail.MlflowClient is MltrailClient
    assert mltrail.MlflowException is MltrailError
    assert mltrail.start_run is fluent.start_run
    assert mltrail.ActiveRun is fluent.ActiveRun
    assert mltrail.tracking.fluent is fluent


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        _ = mltrail.no_such_thing
    with pytest.raises(AttributeError):
        _ = mltrail.tracking.no_such_thing
    assert not hasattr(mltrail, "__wrapped__")
