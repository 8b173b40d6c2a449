"""Fluent `search_runs` and `search_experiments`: experiments searched, paging, output shapes.
(The DataFrame is compared with MLflow's own in tests/compat/test_fluent_shapes.py.)"""

from __future__ import annotations

import pandas as pd
import pytest

import mltrail as mlflow
from mltrail.entities import Run
from mltrail.errors import MltrailError
from mltrail.tracking import fluent_search


def _runs(count: int, **tags: str) -> list[str]:
    ids = []
    for i in range(count):
        with mlflow.start_run(tags=tags) as run:
            mlflow.log_metric("m", float(i))
        ids.append(run.info.run_id)
    return ids


def test_searches_the_active_experiment_by_default() -> None:
    _runs(2)
    mlflow.set_experiment("other")
    mine = _runs(3)
    frame = mlflow.search_runs()
    assert isinstance(frame, pd.DataFrame)
    assert set(frame["run_id"]) == set(mine)
    listed = mlflow.search_runs(output_format="list")
    assert all(isinstance(r, Run) for r in listed)
    assert {r.info.run_id for r in listed} == set(mine)


def test_experiment_ids_names_and_all() -> None:
    default_runs = _runs(1)
    experiment = mlflow.set_experiment("named")
    named_runs = _runs(2)
    both = {*default_runs, *named_runs}
    assert set(mlflow.search_runs(["0", experiment.experiment_id])["run_id"]) == both
    assert set(mlflow.search_runs(experiment_ids="0")["run_id"]) == set(default_runs)
    by_name = mlflow.search_runs(experiment_names=["named", "missing"])
    assert set(by_name["run_id"]) == set(named_runs)
    assert set(mlflow.search_runs(search_all_experiments=True)["run_id"]) == both


def test_filter_and_order() -> None:
    _runs(3)
    frame = mlflow.search_runs(filter_string="metrics.m >= 1", order_by=["metrics.m DESC"])
    assert frame["metrics.m"].tolist() == [2.0, 1.0]


def test_pages_through_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    # A small page size proves every page is fetched and max_results is honoured.
    monkeypatch.setattr(fluent_search, "SEARCH_MAX_RESULTS_THRESHOLD", 2)
    ids = _runs(5)
    assert set(mlflow.search_runs()["run_id"]) == set(ids)
    assert len(mlflow.search_runs(max_results=3)) == 3


def test_unsupported_output_format() -> None:
    with pytest.raises(MltrailError, match="Unsupported output format: csv"):
        mlflow.search_runs(output_format="csv")


def test_empty_result_has_the_info_columns() -> None:
    frame = mlflow.search_runs()
    assert list(frame.columns) == [
        "run_id",
        "experiment_id",
        "status",
        "artifact_uri",
        "start_time",
        "end_time",
    ]
    assert frame.empty


def test_search_experiments_returns_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from mltrail.tracking import fluent_experiments

    monkeypatch.setattr(fluent_experiments, "SEARCH_MAX_RESULTS_THRESHOLD", 2)
    for name in ("a", "b", "c", "d"):
        mlflow.create_experiment(name)
    found = mlflow.search_experiments()
    assert isinstance(found, list)
    assert {e.name for e in found} == {"Default", "a", "b", "c", "d"}
    assert len(mlflow.search_experiments(max_results=3)) == 3
    only = mlflow.search_experiments(filter_string="name = 'c'")
    assert [e.name for e in only] == ["c"]


def test_experiment_tags_of_the_active_experiment() -> None:
    experiment = mlflow.set_experiment("tagged")
    mlflow.set_experiment_tag("owner", "ana")
    mlflow.set_experiment_tags({"stage": "dev", "n": 2})
    mlflow.delete_experiment_tag("owner")
    assert mlflow.get_experiment(experiment.experiment_id).tags == {"stage": "dev", "n": "2"}
