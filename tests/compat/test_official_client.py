"""The official `mlflow` client, unchanged, against a live mltrail server."""

from __future__ import annotations

import math
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.compat


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def client_of(mlflow: ModuleType) -> Any:
    return mlflow.MlflowClient()


def error_code(call: Any, *args: Any, **kwargs: Any) -> str:
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException) as caught:
        call(*args, **kwargs)
    code: str = caught.value.error_code
    return code


def test_experiments_lifecycle_and_search(mlflow: ModuleType) -> None:
    client = client_of(mlflow)
    prefix = unique("exp")
    ids = [client.create_experiment(f"{prefix}-{i}", tags={"i": str(i)}) for i in range(3)]
    experiment = client.get_experiment_by_name(f"{prefix}-1")
    assert experiment.experiment_id == ids[1]
    assert experiment.tags == {"i": "1"}
    assert experiment.artifact_location == f"mlflow-artifacts:/{ids[1]}"
    client.set_experiment_tag(ids[1], "owner", "me")
    client.rename_experiment(ids[2], f"{prefix}-renamed")

    seen: list[str] = []
    token = None
    while True:
        page = client.search_experiments(
            filter_string=f"name LIKE '{prefix}%'",
            order_by=["name DESC"],
            max_results=2,
            page_token=token,
        )
        seen += [e.name for e in page]
        token = page.token
        if not token:
            break
    assert seen == [f"{prefix}-renamed", f"{prefix}-1", f"{prefix}-0"]

    client.delete_experiment(ids[0])
    assert client.get_experiment(ids[0]).lifecycle_stage == "deleted"
    client.restore_experiment(ids[0])
    assert client.get_experiment(ids[0]).lifecycle_stage == "active"
    assert client.get_experiment(ids[1]).tags["owner"] == "me"


def test_fluent_logging_round_trips(mlflow: ModuleType) -> None:
    mlflow.set_experiment(unique("fluent"))
    with mlflow.start_run(run_name="train") as run:
        mlflow.log_param("lr", 0.1)
        mlflow.log_params({"layers": 3, "opt": "adam"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"nan": math.nan, "inf": math.inf, "ninf": -math.inf})
        mlflow.set_tag("stage", "dev")
        mlflow.set_tags({"team": "ml"})
    fetched = client_of(mlflow).get_run(run.info.run_id)
    assert fetched.info.run_name == "train"
    assert fetched.info.status == "FINISHED"
    assert fetched.info.end_time is not None
    assert fetched.data.params == {"lr": "0.1", "layers": "3", "opt": "adam"}
    assert fetched.data.metrics["loss"] == pytest.approx(0.2)
    assert math.isnan(fetched.data.metrics["nan"])
    assert fetched.data.metrics["inf"] == math.inf
    assert fetched.data.metrics["ninf"] == -math.inf
    assert fetched.data.tags["stage"] == "dev"
    assert fetched.data.tags["team"] == "ml"
    assert fetched.data.tags["mlflow.runName"] == "train"

    history = client_of(mlflow).get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(s, 1.0 / (s + 1)) for s in range(5)]


def test_log_batch_and_run_lifecycle(mlflow: ModuleType) -> None:
    from mlflow.entities import Metric, Param, RunTag

    client = client_of(mlflow)
    experiment_id = client.create_experiment(unique("batch"))
    run = client.create_run(experiment_id, run_name="batched")
    run_id = run.info.run_id
    metrics = [Metric("m", float(i), 1_700_000_000_000 + i, i) for i in range(1000)]
    client.log_batch(run_id, metrics=metrics, params=[Param("p", "v")], tags=[RunTag("t", "x")])
    assert len(client.get_metric_history(run_id, "m")) == 1000
    client.set_terminated(run_id, "KILLED")
    assert client.get_run(run_id).info.status == "KILLED"
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    client.delete_tag(run_id, "t")
    assert "t" not in client.get_run(run_id).data.tags


def test_search_runs_with_filters_order_and_paging(mlflow: ModuleType) -> None:
    client = client_of(mlflow)
    experiment_id = client.create_experiment(unique("search"))
    for i in range(5):
        run = client.create_run(experiment_id, run_name=f"r{i}")
        client.log_metric(run.info.run_id, "acc", i / 10)
        client.log_param(run.info.run_id, "parity", "even" if i % 2 == 0 else "odd")

    names: list[str] = []
    token = None
    while True:
        page = client.search_runs(
            [experiment_id],
            filter_string="params.parity = 'even' and metrics.acc >= 0",
            order_by=["metrics.acc DESC"],
            max_results=2,
            page_token=token,
        )
        names += [r.info.run_name for r in page]
        token = page.token
        if not token:
            break
    assert names == ["r4", "r2", "r0"]

    frame = mlflow.search_runs(
        [experiment_id], filter_string="metrics.acc > 0.15", order_by=["attributes.run_name"]
    )
    assert list(frame["tags.mlflow.runName"]) == ["r2", "r3", "r4"]
    assert list(frame["metrics.acc"]) == pytest.approx([0.2, 0.3, 0.4])


def test_artifacts_upload_list_download(mlflow: ModuleType, tmp_path: Path) -> None:
    source = tmp_path / "out"
    (source / "nested" / "deeper").mkdir(parents=True)
    (source / "top.txt").write_text("top")
    (source / "nested" / "a.csv").write_text("x,y\n1,2\n")
    (source / "nested" / "deeper" / "b.bin").write_bytes(bytes(range(256)) * 64)
    single = tmp_path / "single.json"
    single.write_text('{"k": 1}')

    mlflow.set_experiment(unique("artifacts"))
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(source), artifact_path="tree")
        mlflow.log_artifact(str(single))
        mlflow.log_text("hello", "notes/hello.txt")
        mlflow.log_dict({"a": 1}, "config/conf.json")
    client = client_of(mlflow)
    run_id = run.info.run_id
    top = {f.path: f.is_dir for f in client.list_artifacts(run_id)}
    assert top == {"tree": True, "single.json": False, "notes": True, "config": True}
    nested = client.list_artifacts(run_id, "tree/nested")
    assert {(f.path, f.is_dir) for f in nested} == {
        ("tree/nested/a.csv", False),
        ("tree/nested/deeper", True),
    }

    local = Path(
        mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path="tree", dst_path=str(tmp_path / "dl")
        )
    )
    assert (local / "top.txt").read_text() == "top"
    assert (local / "nested" / "a.csv").read_text() == "x,y\n1,2\n"
    assert (local / "nested" / "deeper" / "b.bin").read_bytes() == bytes(range(256)) * 64
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/hello.txt") == "hello"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/conf.json") == {"a": 1}


def test_log_input_from_pandas(mlflow: ModuleType) -> None:
    import pandas as pd

    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(frame, name="training", targets="y")
    mlflow.set_experiment(unique("inputs"))
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="train")
    inputs = client_of(mlflow).get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    assert inputs[0].dataset.name == "training"
    assert inputs[0].dataset.digest == dataset.digest
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "train"


@pytest.mark.filterwarnings("ignore::UserWarning")  # mlflow's own type-hint hints
def test_sklearn_log_model_and_pyfunc_load(mlflow: ModuleType) -> None:
    import mlflow.pyfunc
    import mlflow.sklearn
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    features = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    labels = np.array([0, 0, 1, 1])
    model = LogisticRegression().fit(features, labels)
    mlflow.set_experiment(unique("models"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="clf", pip_requirements=["scikit-learn"])
    assert info.model_id.startswith("m-")
    logged = client_of(mlflow).get_logged_model(info.model_id)
    assert logged.status.to_proto() == 2  # READY
    assert logged.source_run_id == run.info.run_id

    loaded = mlflow.pyfunc.load_model(info.model_uri)
    assert list(loaded.predict(features)) == list(model.predict(features))
    searched = mlflow.search_logged_models(
        experiment_ids=[run.info.experiment_id], output_format="list"
    )
    assert [m.model_id for m in searched] == [info.model_id]


def test_error_codes_for_bad_input(mlflow: ModuleType) -> None:
    client = client_of(mlflow)
    name = unique("errors")
    experiment_id = client.create_experiment(name)
    assert error_code(client.create_experiment, name) == "RESOURCE_ALREADY_EXISTS"
    assert error_code(client.get_experiment, "987654") == "RESOURCE_DOES_NOT_EXIST"
    assert (
        error_code(client.get_run, "0123456789abcdef0123456789abcdef") == "RESOURCE_DOES_NOT_EXIST"
    )
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "p", "1")
    assert error_code(client.log_param, run_id, "p", "2") == "INVALID_PARAMETER_VALUE"
    assert error_code(client.log_metric, run_id, "bad key!", 1.0) == "INVALID_PARAMETER_VALUE"
    bad_filter = "metrics.acc >"
    assert error_code(client.search_runs, [experiment_id], bad_filter) == "INVALID_PARAMETER_VALUE"
    assert (
        error_code(client.search_runs, [experiment_id], max_results=50001)
        == "INVALID_PARAMETER_VALUE"
    )
