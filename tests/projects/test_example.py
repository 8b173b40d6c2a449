"""examples/sklearn_project runs as documented and logs params, metrics and a model."""

from __future__ import annotations

from pathlib import Path

import pytest

import mltrail.projects as projects
from mltrail.tracking import MlflowClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sklearn_project"


def test_example_declares_a_python_env_with_mltrail() -> None:
    project = projects.load_project(EXAMPLE)
    assert project.env_kind == "python"
    assert set(project.entry_point("main").parameters) == {
        "alpha", "l1_ratio", "max_iter", "test_size",
    }  # fmt: skip
    assert "mltrail[sklearn]" in (EXAMPLE / "python_env.yaml").read_text()


@pytest.mark.slow
def test_sklearn_example_logs_params_metrics_and_model(client: MlflowClient) -> None:
    submitted = projects.run(
        str(EXAMPLE), parameters={"alpha": "0.05", "max_iter": 500}, env_manager="local"
    )
    run = client.get_run(submitted.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params == {
        "alpha": "0.05",
        "l1_ratio": "0.5",
        "max_iter": "500",
        "test_size": "0.25",
        "train_rows": "331",
    }
    assert set(run.data.metrics) == {"rmse", "mae", "r2"}
    assert 0.0 < run.data.metrics["r2"] < 1.0
    (model,) = client.search_logged_models([run.info.experiment_id])
    assert model.source_run_id == run.info.run_id
    import mltrail.sklearn

    loaded = mltrail.sklearn.load_model(f"models:/{model.model_id}")
    assert type(loaded).__name__ == "ElasticNet"
    assert loaded.alpha == 0.05
