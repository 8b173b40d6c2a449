"""Parsing `/invocations` bodies: every MLflow format, and the errors for bad ones."""

from __future__ import annotations

import io

import numpy as np
import orjson
import pandas as pd
import pytest

from mltrail.errors import MltrailError
from mltrail.serving.payload import UnsupportedContentType, parse_payload
from mltrail.types.schema import ColSpec, Schema, TensorSpec

SCHEMA = Schema([ColSpec("double", "a"), ColSpec("double", "b")])
JSON = "application/json"


def parse_json(document: object, schema: Schema | None = SCHEMA) -> object:
    return parse_payload(JSON, orjson.dumps(document), schema).data


def test_dataframe_split_with_index_casts_ints_to_the_schema_doubles() -> None:
    body = {"dataframe_split": {"columns": ["a", "b"], "index": [7, 8], "data": [[0, 1], [3, 0]]}}
    frame = parse_json(body)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == [7, 8]
    assert frame.dtypes.tolist() == [np.float64, np.float64]


def test_dataframe_records() -> None:
    frame = parse_json({"dataframe_records": [{"a": 1.0, "b": 2.0}, {"a": 3.0, "b": 4.0}]})
    assert isinstance(frame, pd.DataFrame)
    assert frame.to_dict(orient="list") == {"a": [1.0, 3.0], "b": [2.0, 4.0]}


def test_instances_rows_become_a_frame_and_lists_a_tensor() -> None:
    frame = parse_json({"instances": [{"a": 1.0, "b": 2.0}]})
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (1, 2)
    tensor = parse_json({"instances": [[1, 2], [3, 4]]}, None)
    assert isinstance(tensor, np.ndarray)
    assert tensor.shape == (2, 2)


def test_inputs_columns_and_tensor_in_the_schema_dtype() -> None:
    columns = parse_json({"inputs": {"a": [1.0, 2.0], "b": [0.0, 1.0]}})
    assert isinstance(columns, dict)
    assert columns["a"].tolist() == [1.0, 2.0]
    schema = Schema([TensorSpec(np.float32, (-1, 2))])
    tensor = parse_json({"inputs": [[1, 2]]}, schema)
    assert isinstance(tensor, np.ndarray)
    assert tensor.dtype == np.float32


def test_params_are_returned_alongside_the_data() -> None:
    body = {"dataframe_records": [{"a": 1.0, "b": 2.0}], "params": {"k": 3}}
    assert parse_payload(JSON, orjson.dumps(body), SCHEMA).params == {"k": 3}


def test_csv_and_parquet() -> None:
    frame = parse_payload("text/csv; charset=utf-8", b"a,b\n1,2\n", SCHEMA).data
    assert frame.to_dict(orient="list") == {"a": [1.0], "b": [2.0]}
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1.5], "b": [2.5]}).to_parquet(buffer)
    parquet = parse_payload("application/vnd.apache.parquet", buffer.getvalue(), SCHEMA).data
    assert parquet.to_dict(orient="list") == {"a": [1.5], "b": [2.5]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "valid JSON"),
        (b"[1, 2]", "Received a list"),
        (b'{"instances": [], "inputs": []}', "Received dictionary with input fields"),
        (b'{"dataframe_split": {"cols": 1}}', "must have 'data' field"),
        (b'{"dataframe_records": 5}', "must be a list of records"),
        (b'{"dataframe_records": [{"a": "x", "b": 1}]}', "Failed to convert column a"),
        (b'{"inputs": [1], "params": [1]}', "'params' must be a JSON object"),
    ],
)
def test_bad_json_bodies_are_bad_requests(body: bytes, message: str) -> None:
    with pytest.raises(MltrailError, match=message) as caught:
        parse_payload(JSON, body, SCHEMA)
    assert caught.value.error_code == "BAD_REQUEST"
    assert caught.value.get_http_status_code() == 400


def test_other_content_types_are_unsupported() -> None:
    with pytest.raises(UnsupportedContentType) as caught:
        parse_payload("application/xml", b"<a/>", SCHEMA)
    assert caught.value.get_http_status_code() == 415
    assert "Got 'application/xml'" in caught.value.message


def test_corrupt_parquet_is_a_bad_request() -> None:
    with pytest.raises(MltrailError, match="valid Parquet") as caught:
        parse_payload("application/vnd.apache.parquet", b"xx", SCHEMA)
    assert caught.value.error_code == "BAD_REQUEST"
