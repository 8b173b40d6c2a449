"""Fluent logging on the embedded SQLite store: what is stored, call-site validation,
read-your-writes, synchronous writes, and background write errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mltrail as mlflow
from mltrail.entities import Metric
from mltrail.errors import MltrailError
from mltrail.store.tracking.base import TrackingStore


def test_params_metrics_and_tags_are_stored(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        assert mlflow.log_param("learning_rate", 0.01) == 0.01
        mlflow.log_params({"depth": 3, "optimizer": "adam"})
        for epoch in range(5):
            mlflow.log_metric("train_loss", 1.0 / (epoch + 1), step=epoch)
        mlflow.log_metrics({"acc": 0.9, "f1": np.float32(0.5)}, step=4)
        mlflow.set_tag("dataset_version", "v2.1")
        mlflow.set_tags({"team": "vision", "attempt": 2})
    stored = reader.get_run(run.info.run_id)
    assert stored.data.params == {"learning_rate": "0.01", "depth": "3", "optimizer": "adam"}
    assert stored.data.metrics == {"train_loss": 0.2, "acc": 0.9, "f1": 0.5}
    assert stored.data.tags["dataset_version"] == "v2.1"
    assert stored.data.tags["attempt"] == "2"
    history = reader.get_metric_history(run.info.run_id, "train_loss")
    assert [(m.step, m.value) for m in history] == [(e, 1.0 / (e + 1)) for e in range(5)]


def test_log_metrics_share_one_timestamp(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        mlflow.log_metrics({"a": 1.0, "b": 2.0})
        mlflow.log_metric("c", 3.0, timestamp=1234, step=7)
    a = reader.get_metric_history(run.info.run_id, "a")[0]
    b = reader.get_metric_history(run.info.run_id, "b")[0]
    assert a.timestamp == b.timestamp
    c = reader.get_metric_history(run.info.run_id, "c")[0]
    assert (c.timestamp, c.step) == (1234, 7)


def test_changing_a_param_raises_at_the_call(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        mlflow.log_param("depth", 3)
        mlflow.log_param("depth", 3)  # the same value again is fine
        with pytest.raises(MltrailError) as raised:
            mlflow.log_param("depth", 5)
        assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
        mlflow.log_metric("still_logging", 1.0)
    stored = reader.get_run(run.info.run_id)
    assert stored.data.params == {"depth": "3"}
    assert stored.data.metrics == {"still_logging": 1.0}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("bad key!", 1.0, "Names may only contain"),
        ("../escape", 1.0, "must not resolve to other names"),
        ("loss", "high", "valid double"),
        ("loss", None, "Missing value"),
    ],
)
def test_bad_metric_raises_at_the_call_and_stores_nothing(
    reader: TrackingStore, key: str, value: object, message: str
) -> None:
    with mlflow.start_run() as run:
        with pytest.raises(MltrailError, match=message) as raised:
            mlflow.log_metric(key, value)  # type: ignore[arg-type]
        assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert reader.get_run(run.info.run_id).data.metrics == {}


def test_bad_step_timestamp_and_tag_key_raise_at_the_call() -> None:
    with mlflow.start_run():
        for call in (
            lambda: mlflow.log_metric("m", 1.0, step=1.5),  # type: ignore[arg-type]
            lambda: mlflow.log_metric("m", 1.0, timestamp=-1),
            lambda: mlflow.set_tag("bad key!", "v"),
            lambda: mlflow.log_param("p" * 251, "v"),
        ):
            with pytest.raises(MltrailError) as raised:
                call()
            assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_special_metric_values_round_trip(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        mlflow.log_metric("nan", math.nan)
        mlflow.log_metric("inf", math.inf)
        mlflow.log_metric("flag", True)  # MLflow accepts booleans as 1.0
        mlflow.log_metric("int", 3, step=np.int64(2))  # type: ignore[arg-type]
    metrics = reader.get_run(run.info.run_id).data.metrics
    assert math.isnan(metrics["nan"])
    assert metrics["inf"] == math.inf
    assert metrics["flag"] == 1.0
    assert metrics["int"] == 3.0


def test_reads_see_queued_writes(reader: TrackingStore) -> None:
    client = mlflow.MlflowClient()
    with mlflow.start_run() as run:
        for step in range(100):
            mlflow.log_metric("loss", float(step), step=step)
        mlflow.set_tag("phase", "train")
        # A client read flushes first: it sees every earlier call, queued or not.
        assert client.get_run(run.info.run_id).data.metrics == {"loss": 99.0}
        assert len(client.get_metric_history(run.info.run_id, "loss")) == 100
        frame = mlflow.search_runs()
        assert frame.loc[0, "tags.phase"] == "train"
        # ...and so it is in the database for any other reader too.
        assert len(reader.get_metric_history(run.info.run_id, "loss")) == 100


def test_synchronous_writes_land_before_returning(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        mlflow.log_metric("m", 1.0, synchronous=True)
        mlflow.set_tag("t", "v", synchronous=True)
        stored = reader.get_run(run.info.run_id)
        assert stored.data.metrics == {"m": 1.0}
        assert stored.data.tags["t"] == "v"
        pending = mlflow.log_metric("later", 2.0, synchronous=False)
        assert pending is not None
        pending.wait()
        assert reader.get_run(run.info.run_id).data.metrics["later"] == 2.0


def test_flush_async_logging_writes_everything(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        for step in range(2500):
            mlflow.log_metric("loss", float(step), step=step)
        mlflow.flush_async_logging()
        assert len(reader.get_metric_history(run.info.run_id, "loss")) == 2500


def test_background_write_error_surfaces_at_the_next_call(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        mlflow.log_metric("first", 1.0)
        mlflow.flush_async_logging()
        reader.delete_run(run.info.run_id)  # another process deletes the run under us
        mlflow.log_metric("lost", 2.0)  # queued; the background write will be refused
        mlflow.MlflowClient().get_run(run.info.run_id)  # a read flushes but never raises it
        with pytest.raises(MltrailError, match="active") as raised:
            mlflow.log_metric("next", 3.0)
        assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
        assert any("background write" in note for note in raised.value.__notes__)
        reader.restore_run(run.info.run_id)
        mlflow.log_metric("after", 4.0)  # reported once, logging goes on
    assert set(reader.get_run(run.info.run_id).data.metrics) == {"first", "after"}


def test_background_write_error_surfaces_at_end_run(reader: TrackingStore) -> None:
    run = mlflow.start_run()
    mlflow.flush_async_logging()
    reader.delete_run(run.info.run_id)
    mlflow.log_metric("lost", 2.0)
    with pytest.raises(MltrailError, match="active") as raised:
        mlflow.end_run()
    assert any("background write" in note for note in raised.value.__notes__)
    assert mlflow.active_run() is None
    assert mlflow.last_active_run() is not None


def test_logging_to_an_unknown_run_id_raises_at_the_call() -> None:
    with pytest.raises(MltrailError) as raised:
        mlflow.log_metric("m", 1.0, run_id="0" * 32)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_log_to_an_explicit_run_id(reader: TrackingStore) -> None:
    with mlflow.start_run() as other:
        pass
    with mlflow.start_run():
        mlflow.log_metric("m", 5.0, run_id=other.info.run_id)
        mlflow.log_params({"p": "x"}, run_id=other.info.run_id)
    stored = reader.get_run(other.info.run_id)
    assert stored.data.metrics == {"m": 5.0}
    assert stored.data.params == {"p": "x"}


def test_delete_tag(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        mlflow.set_tag("temp", "1")
        mlflow.delete_tag("temp")  # lands after the queued set_tag
    assert "temp" not in reader.get_run(run.info.run_id).data.tags


def test_log_input_records_dataset_and_context(reader: TrackingStore) -> None:
    import pandas as pd

    frame = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(frame, name="toy", targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training", tags={"split": "train"})
        mlflow.log_metric("acc", 0.5, dataset=dataset)
    inputs = reader.get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    assert inputs[0].dataset.name == "toy"
    assert inputs[0].dataset.digest == dataset.digest
    assert {(t.key, t.value) for t in inputs[0].tags} == {
        ("mlflow.data.context", "training"),
        ("split", "train"),
    }
    metric: Metric = reader.get_metric_history(run.info.run_id, "acc")[0]
    assert (metric.dataset_name, metric.dataset_digest) == ("toy", dataset.digest)
