"""Request parsing: types checked like MLflow, query strings converted, messages helpful."""

from __future__ import annotations

import math

import pytest
from starlette.datastructures import QueryParams

from mltrail.entities import LoggedModelStatus, Metric, RunStatus, ViewType
from mltrail.errors import MltrailError
from mltrail.wire import requests as rq
from mltrail.wire.schema import parse, parse_query


def error_of(cls: type, data: object) -> MltrailError:
    with pytest.raises(MltrailError) as caught:
        parse(cls, data)
    return caught.value


def test_parses_nested_repeated_messages_into_entities() -> None:
    req = parse(
        rq.LogBatch,
        {
            "run_id": "r",
            "metrics": [
                {"key": "a", "value": "NaN", "timestamp": 1},
                {"key": "b", "value": 2, "timestamp": "5", "step": 3},
            ],
            "params": [{"key": "p", "value": ""}],
        },
    )
    assert math.isnan(req.metrics[0].value)
    assert req.metrics[1] == Metric("b", 2.0, 5, 3)
    assert req.params[0].value == ""
    assert req.tags == ()


def test_unknown_fields_are_ignored() -> None:
    assert parse(rq.ExperimentRef, {"experiment_id": "1", "surprise": 1}).experiment_id == "1"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({}, "Missing value for required parameter 'name'"),
        ({"name": 5}, "Invalid value 5 for parameter 'name'"),
        ({"name": "x", "tags": "a"}, "parameter 'tags'"),
        ({"name": "x", "tags": [{"key": "a"}]}, "'tags[0].value'"),
        ({"name": "x", "tags": [5]}, "'tags[0]"),
    ],
)
def test_bad_fields_are_invalid_parameter_value(data: dict[str, object], needle: str) -> None:
    error = error_of(rq.CreateExperiment, data)
    assert error.error_code == "INVALID_PARAMETER_VALUE"
    assert needle in error.message


def test_a_body_that_is_not_an_object_is_malformed() -> None:
    assert error_of(rq.CreateExperiment, [1, 2]).error_code == "MALFORMED_REQUEST"


@pytest.mark.parametrize("value", [True, "abc", [1.0]])
def test_metric_value_must_be_a_double(value: object) -> None:
    data = {"run_id": "r", "key": "k", "value": value, "timestamp": 1}
    assert "parameter 'value'" in error_of(rq.LogMetric, data).message


@pytest.mark.parametrize("step", [1.5, "x", True, 2**63])
def test_int64_fields_refuse_non_integers(step: object) -> None:
    data = {"run_id": "r", "key": "k", "value": 1, "timestamp": 1, "step": step}
    assert "parameter 'step'" in error_of(rq.LogMetric, data).message


def test_run_uuid_stands_in_for_run_id() -> None:
    assert parse(rq.RunRef, {"run_uuid": "abc"}).id == "abc"
    with pytest.raises(MltrailError, match="'run_id'"):
        _ = parse(rq.RunRef, {}).id


@pytest.mark.parametrize(
    ("wire", "status"), [("FINISHED", RunStatus.FINISHED), (4, RunStatus.FAILED)]
)
def test_run_status_by_name_or_proto_number(wire: object, status: RunStatus) -> None:
    assert parse(rq.UpdateRun, {"run_id": "r", "status": wire}).status == status


def test_unknown_enum_names_are_refused() -> None:
    assert "'status'" in error_of(rq.UpdateRun, {"run_id": "r", "status": "BOGUS"}).message


@pytest.mark.parametrize("wire", ["LOGGED_MODEL_READY", "READY", 2])
def test_logged_model_status_accepts_proto_names(wire: object) -> None:
    req = parse(rq.FinalizeLoggedModel, {"model_id": "m-1", "status": wire})
    assert req.status == LoggedModelStatus.READY


def test_query_strings_convert_text_and_repeat_keys_for_lists() -> None:
    query = QueryParams("max_results=5&order_by=name&order_by=creation_time&view_type=ALL")
    req = parse_query(rq.SearchExperiments, query)
    assert req.max_results == 5
    assert req.order_by == ("name", "creation_time")
    assert req.view_type == ViewType.ALL


def test_query_path_params_are_merged() -> None:
    req = parse_query(rq.ListLoggedModelArtifacts, QueryParams(""), {"model_id": "m-1"})
    assert req.model_id == "m-1"
    assert req.artifact_directory_path is None


@pytest.mark.parametrize(("text", "value"), [("true", True), ("False", False)])
def test_query_bools_accept_python_spelling(text: str, value: bool) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Flag:
        flag: bool

    assert parse_query(Flag, QueryParams(f"flag={text}")).flag is value


def test_json_bodies_do_not_accept_text_bools() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Flag:
        flag: bool

    assert "'flag'" in error_of(Flag, {"flag": "true"}).message


@pytest.mark.parametrize(
    ("message", "data", "needle"),
    [
        (rq.SearchRuns, {"max_results": 50001}, "at most 50000"),
        (rq.SearchRuns, {"max_results": 0}, "positive integer"),
        (rq.SearchExperiments, {"max_results": -1}, "positive integer"),
        (rq.GetMetricHistoryBulkInterval, {"run_ids": [], "metric_key": "m"}, "run_ids"),
        (
            rq.GetMetricHistoryBulkInterval,
            {"run_ids": ["a"], "metric_key": "m", "start_step": 1},
            "both must be specified",
        ),
        (
            rq.GetMetricHistoryBulkInterval,
            {"run_ids": [str(i) for i in range(101)], "metric_key": "m"},
            "at most 100 run_ids",
        ),
    ],
)
def test_range_checks(message: type, data: dict[str, object], needle: str) -> None:
    assert needle in error_of(message, data).message
