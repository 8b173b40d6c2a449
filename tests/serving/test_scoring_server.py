"""`mltrail models serve` as a real uvicorn process: every input format, params and errors."""

from __future__ import annotations

import io

import httpx
import pandas as pd
import pytest

from tests.compat.conftest import LiveServer

EXPECTED = [0, 1]
ROWS = [{"a": 0.0, "b": 1.0}, {"a": 3.0, "b": 0.0}]


def post(server: LiveServer, content: bytes, content_type: str) -> httpx.Response:
    headers = {"content-type": content_type}
    return httpx.post(f"{server.url}/invocations", content=content, headers=headers, timeout=30)


def post_json(server: LiveServer, body: object) -> httpx.Response:
    return httpx.post(f"{server.url}/invocations", json=body, timeout=30)


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(ROWS).to_parquet(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "body",
    [
        {"dataframe_split": {"columns": ["a", "b"], "data": [[0, 1], [3, 0]]}},
        {"dataframe_split": {"columns": ["a", "b"], "index": [4, 5], "data": [[0, 1], [3, 0]]}},
        {"dataframe_records": ROWS},
        {"instances": ROWS},
        {"inputs": {"a": [0.0, 3.0], "b": [1.0, 0.0]}},
        {"dataframe_records": ROWS, "params": {"ignored": 1}},
    ],
    ids=["split", "split-index", "records", "instances", "inputs", "params-ignored"],
)
def test_json_formats(scoring_server: LiveServer, body: object) -> None:
    response = post_json(scoring_server, body)
    assert response.status_code == 200, response.text
    assert response.json() == {"predictions": EXPECTED}


def test_csv_and_parquet(scoring_server: LiveServer) -> None:
    csv = post(scoring_server, b"a,b\n0,1\n3,0\n", "text/csv")
    assert csv.json() == {"predictions": EXPECTED}
    parquet = post(scoring_server, parquet_bytes(), "application/vnd.apache.parquet")
    assert parquet.json() == {"predictions": EXPECTED}


def test_health_answers_mlflow_body(scoring_server: LiveServer) -> None:
    response = httpx.get(f"{scoring_server.url}/ping")
    assert (response.status_code, response.text) == (200, "\n")


def test_missing_column_is_invalid_parameter(scoring_server: LiveServer) -> None:
    response = post_json(scoring_server, {"dataframe_records": [{"a": 0.0}]})
    assert response.status_code == 400
    error = response.json()
    assert error["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "Model is missing inputs ['b']" in error["message"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"dataframe_records": [{"a": "x", "b": 1}]}', "Failed to convert column a"),
        (b"{not json", "valid JSON"),
        (b'{"rows": []}', "exactly one of the input fields"),
    ],
)
def test_bad_bodies_are_bad_requests(
    scoring_server: LiveServer, content: bytes, message: str
) -> None:
    response = post(scoring_server, content, "application/json")
    assert response.status_code == 400
    assert response.json()["error_code"] == "BAD_REQUEST"
    assert message in response.json()["message"]


def test_unsupported_content_type_is_415(scoring_server: LiveServer) -> None:
    response = post(scoring_server, b"<a/>", "application/xml")
    assert response.status_code == 415
    assert "Got 'application/xml'" in response.text


def test_params_over_http(params_server: LiveServer) -> None:
    body = {"inputs": {"x": [1.0, 2.0]}, "params": {"factor": 10}}
    response = post_json(params_server, body)
    assert response.json() == {"predictions": [{"x": 10.0}, {"x": 20.0}]}
