"""NaN/Infinity travel as strings both ways; malformed bodies are MALFORMED_REQUEST."""

from __future__ import annotations

import math

import pytest

from mltrail.errors import MltrailError
from mltrail.wire.json import decode_double, dumps, encode_double, loads


@pytest.mark.parametrize(
    ("value", "wire"),
    [(1.5, 1.5), (math.inf, "Infinity"), (-math.inf, "-Infinity"), (0.0, 0.0)],
)
def test_encode_double(value: float, wire: object) -> None:
    assert encode_double(value) == wire


def test_nan_is_a_string_on_the_wire_not_null() -> None:
    assert dumps({"value": encode_double(math.nan)}) == b'{"value":"NaN"}'


@pytest.mark.parametrize(
    ("wire", "value"),
    [("NaN", math.nan), ("Infinity", math.inf), ("-Infinity", -math.inf), (3, 3.0), ("2.5", 2.5)],
)
def test_decode_double(wire: object, value: float) -> None:
    decoded = decode_double(wire)
    assert decoded is not None
    assert decoded == value or (math.isnan(decoded) and math.isnan(value))


@pytest.mark.parametrize("wire", [True, "abc", None, [1], {"a": 1}])
def test_decode_double_refuses_non_numbers(wire: object) -> None:
    assert decode_double(wire) is None


def test_int64_stays_a_json_number() -> None:
    assert dumps({"timestamp": 2**62}) == b'{"timestamp":4611686018427387904}'


def test_malformed_json_is_malformed_request() -> None:
    with pytest.raises(MltrailError) as caught:
        loads(b"{not json")
    assert caught.value.error_code == "MALFORMED_REQUEST"
    assert caught.value.get_http_status_code() == 400
