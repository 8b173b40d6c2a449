"""The fluent API has MLflow's shape: the same function and client signatures, and a
`search_runs` DataFrame with the same columns and dtypes as the official package produces
for the same runs."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

import mltrail

pytestmark = pytest.mark.compat

# Parameters MLflow has that mltrail leaves out on purpose (Databricks Unity Catalog traces).
KNOWN_MISSING = {"create_experiment": ["trace_location"], "set_experiment": ["trace_location"]}
MLTRAIL_ONLY = {"MltrailClient", "MltrailError"}


@pytest.fixture
def official(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The official package on its own file store (quick to open), reset afterwards."""
    import mlflow
    import mlflow.tracking.fluent as fluent

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    mlflow.set_tracking_uri((tmp_path / "mlruns").as_uri())
    yield mlflow
    while mlflow.active_run() is not None:
        mlflow.end_run()
    fluent._active_experiment_id = None
    mlflow.set_tracking_uri(None)  # type: ignore[arg-type]


@pytest.fixture
def ours(tmp_path: Path) -> Iterator[ModuleType]:
    """mltrail on a SQLite file, its process state reset afterwards."""
    from mltrail.tracking import context

    mltrail.set_tracking_uri(f"sqlite:///{tmp_path / 'mltrail.db'}")
    yield mltrail
    context.reset_all()


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_fluent_signatures_match_mlflow() -> None:
    import mlflow

    for name in sorted(set(mltrail.__all__) - MLTRAIL_ONLY):
        theirs = getattr(mlflow, name)
        mine = getattr(mltrail, name)
        if inspect.isfunction(mine):
            expected = [p for p in _parameters(theirs) if p not in KNOWN_MISSING.get(name, [])]
            assert _parameters(mine) == expected, name


def test_client_and_artifacts_signatures_match_mlflow() -> None:
    import mlflow
    import mlflow.artifacts

    for name, method in inspect.getmembers(mltrail.MlflowClient, inspect.isfunction):
        if name.startswith("_") or not hasattr(mlflow.MlflowClient, name):
            continue
        assert _parameters(method) == _parameters(getattr(mlflow.MlflowClient, name)), name
    init = [p for p in _parameters(mlflow.MlflowClient.__init__) if p != "workspace_store_uri"]
    assert _parameters(mltrail.MlflowClient.__init__) == init
    for name in mltrail.artifacts.__all__:
        mine, theirs = getattr(mltrail.artifacts, name), getattr(mlflow.artifacts, name)
        assert _parameters(mine) == _parameters(theirs), name


def _log_runs(lib: ModuleType) -> pd.DataFrame:
    """The same three runs in each library: two finished, one still running."""
    lib.set_experiment("shapes")
    with lib.start_run(run_name="a"):
        lib.log_metric("m", 1.5)
        lib.log_param("p", "x")
        lib.set_tag("t", "v")
    with lib.start_run(run_name="b"):
        lib.log_metric("n", 2)
    lib.start_run(run_name="c")
    frame: pd.DataFrame = lib.search_runs()
    lib.end_run()
    return frame


def _only_running(lib: ModuleType) -> pd.DataFrame:
    lib.set_experiment("running")
    lib.start_run(run_name="r")
    frame: pd.DataFrame = lib.search_runs()
    lib.end_run()
    return frame


def _compare(mine: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(mine.columns[:6]) == list(theirs.columns[:6])
    assert set(mine.columns) == set(theirs.columns)
    for column in theirs.columns:
        assert str(mine[column].dtype) == str(theirs[column].dtype), column
    assert type(mine.index) is type(theirs.index)


@pytest.mark.parametrize(
    "scenario", [_log_runs, _only_running, None], ids=["mixed", "running", "empty"]
)
def test_search_runs_frame_matches_mlflow(
    official: ModuleType, ours: ModuleType, scenario: Any
) -> None:
    if scenario is None:
        official.set_experiment("empty")
        ours.set_experiment("empty")
        mine, theirs = ours.search_runs(), official.search_runs()
    else:
        mine, theirs = scenario(ours), scenario(official)
    _compare(mine, theirs)
    by_name = "tags.mlflow.runName"
    if scenario is _log_runs:
        mine, theirs = mine.set_index(by_name), theirs.set_index(by_name)
        for column in ("status", "metrics.m", "metrics.n", "params.p", "tags.t"):
            assert mine[column].sort_index().equals(theirs[column].sort_index()), column
