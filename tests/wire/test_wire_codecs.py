"""Entity <-> JSON codecs produce MLflow's shapes and read them back unchanged."""

from __future__ import annotations

import math

from mltrail.entities import (
    Dataset,
    DatasetInput,
    Experiment,
    FileInfo,
    InputTag,
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelStatus,
    Metric,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunOutputs,
)
from mltrail.wire import codecs

RUN = Run(
    info=RunInfo(
        run_id="abc",
        experiment_id="1",
        run_name="r1",
        user_id="",
        status="RUNNING",
        start_time=1700000000000,
        end_time=None,
        artifact_uri="mlflow-artifacts:/1/abc/artifacts",
    ),
    data=RunData(
        latest_metrics=(Metric("loss", math.nan, 5, 2), Metric("acc", math.inf, 6, 0)),
        params={"lr": "0.1", "empty": ""},
        tags={"mlflow.runName": "r1"},
    ),
    inputs=RunInputs(
        dataset_inputs=(
            DatasetInput(
                Dataset("d", "0123", "local", '{"uri": "x"}', schema="{}"),
                (InputTag("mlflow.data.context", "train"),),
            ),
        ),
        model_inputs=(LoggedModelInput("m-1"),),
    ),
    outputs=RunOutputs(model_outputs=(LoggedModelOutput("m-2", 3),)),
)


def test_run_shape_matches_mlflow() -> None:
    wire = codecs.run_to_dict(RUN)
    info = wire["info"]
    assert info["run_uuid"] == info["run_id"] == "abc"
    assert info["user_id"] == ""  # explicit empty strings are kept
    assert "end_time" not in info  # unset fields are omitted
    assert wire["data"]["metrics"][0] == {"key": "loss", "value": "NaN", "timestamp": 5, "step": 2}
    assert wire["data"]["metrics"][1]["value"] == "Infinity"
    assert {"key": "empty", "value": ""} in wire["data"]["params"]
    dataset_input = wire["inputs"]["dataset_inputs"][0]
    assert dataset_input["dataset"] == {
        "name": "d",
        "digest": "0123",
        "source_type": "local",
        "source": '{"uri": "x"}',
        "schema": "{}",
    }
    assert wire["inputs"]["model_inputs"] == [{"model_id": "m-1"}]
    assert wire["outputs"] == {"model_outputs": [{"model_id": "m-2", "step": 3}]}


def test_run_round_trips() -> None:
    back = codecs.run_from_dict(codecs.run_to_dict(RUN))
    assert back.info == RUN.info
    assert back.data.params == RUN.data.params
    assert back.data.tags == RUN.data.tags
    assert back.data.latest_metrics == RUN.data.latest_metrics
    assert back.inputs == RUN.inputs
    assert back.outputs == RUN.outputs


def test_empty_run_data_is_an_empty_object() -> None:
    bare = Run(info=RUN.info)
    wire = codecs.run_to_dict(bare)
    assert wire["data"] == {}
    assert wire["inputs"] == {}


def test_experiment_round_trips_and_omits_empty_tags() -> None:
    experiment = Experiment("3", "e", "mlflow-artifacts:/3", "active", {"a": "b"}, 1, 2)
    wire = codecs.experiment_to_dict(experiment)
    assert wire["tags"] == [{"key": "a", "value": "b"}]
    assert wire["creation_time"] == 1
    assert wire["last_update_time"] == 2
    assert codecs.experiment_from_dict(wire) == experiment
    assert "tags" not in codecs.experiment_to_dict(Experiment("4", "f", "/x"))


def test_logged_model_status_uses_proto_names() -> None:
    model = LoggedModel(
        model_id="m-1",
        experiment_id="0",
        name="model",
        artifact_location="mlflow-artifacts:/0/models/m-1/artifacts",
        creation_timestamp=10,
        last_updated_timestamp=11,
        status=LoggedModelStatus.READY,
        source_run_id="abc",
        tags={"t": "v"},
        params={"p": "1"},
        metrics=(Metric("m", 0.5, 7, 1, model_id="m-1", run_id="abc"),),
    )
    wire = codecs.logged_model_to_dict(model)
    assert wire["info"]["status"] == "LOGGED_MODEL_READY"
    assert wire["info"]["artifact_uri"] == model.artifact_location
    assert wire["info"]["creation_timestamp_ms"] == 10
    assert wire["data"]["metrics"][0]["run_id"] == "abc"
    assert codecs.logged_model_from_dict(wire) == model


def test_file_info_omits_size_of_directories() -> None:
    assert codecs.file_info_to_dict(FileInfo("dir", True)) == {"path": "dir", "is_dir": True}
    wire = codecs.file_info_to_dict(FileInfo("a.txt", False, 5))
    assert codecs.file_info_from_dict(wire) == FileInfo("a.txt", False, 5)
