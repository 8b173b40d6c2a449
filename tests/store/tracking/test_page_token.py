"""Offset page tokens in MLflow's format."""

from __future__ import annotations

import base64

import pytest

from mltrail.errors import InvalidParameter
from mltrail.store.tracking.page_token import decode_offset, encode_offset, next_page_token


def test_tokens_are_mlflow_base64_json() -> None:
    assert base64.b64decode(encode_offset(2)) == b'{"offset": 2}'
    assert decode_offset(encode_offset(40)) == 40
    assert decode_offset(None) == decode_offset("") == 0


def test_next_token_only_when_more_rows_exist() -> None:
    assert decode_offset(next_page_token(10, 5, has_more=True)) == 15
    assert next_page_token(10, 5, has_more=False) is None


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("%%%", "could not base64-decode"),
        (base64.b64encode(b"not json").decode(), "could not base64-decode"),
        (base64.b64encode(b'{"a": 1}').decode(), "parsed value"),
        (base64.b64encode(b'{"offset": -1}').decode(), "parsed value"),
        (base64.b64encode(b'{"offset": "3"}').decode(), "parsed value"),
    ],
)
def test_bad_tokens(token: str, message: str) -> None:
    with pytest.raises(InvalidParameter, match=message) as caught:
        decode_offset(token)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
