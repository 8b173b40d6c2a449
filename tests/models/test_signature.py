"""Signature types and inference: the JSON strings are exactly MLflow's (observed from 3.17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mltrail.errors import MltrailError
from mltrail.models import ModelSignature, infer_signature
from mltrail.types import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    TensorSpec,
)

FRAME_INPUTS = (
    '[{"type": "double", "name": "a", "required": true}, '
    '{"type": "long", "name": "b", "required": true}, '
    '{"type": "string", "name": "c", "required": true}, '
    '{"type": "boolean", "name": "d", "required": true}, '
    '{"type": "integer", "name": "e", "required": true}, '
    '{"type": "float", "name": "f", "required": true}, '
    '{"type": "datetime", "name": "t", "required": true}, '
    '{"type": "binary", "name": "by", "required": true}, '
    '{"type": "array", "items": {"type": "long"}, "name": "lst", "required": true}, '
    '{"type": "object", "properties": {"k": {"type": "long", "required": true}}, '
    '"name": "dct", "required": true}]'
)
PARAMS = (
    '[{"name": "k", "default": 1, "shape": null, "type": "long"}, '
    '{"name": "s", "default": "x", "shape": null, "type": "string"}, '
    '{"name": "f", "default": 1.5, "shape": null, "type": "double"}, '
    '{"name": "b", "default": true, "shape": null, "type": "boolean"}, '
    '{"name": "arr", "default": [1, 2], "shape": [-1], "type": "long"}, '
    '{"name": "dt", "default": "2020-01-01", "shape": null, "type": "datetime"}]'
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [1.0, 2.0],
            "b": [1, 2],
            "c": ["x", "y"],
            "d": [True, False],
            "e": np.array([1, 2], dtype=np.int32),
            "f": np.array([1, 2], dtype=np.float32),
            "t": pd.to_datetime(["2020-01-01"] * 2),
            "by": [b"a", b"b"],
            "lst": [[1, 2], [3]],
            "dct": [{"k": 1}, {"k": 2}],
        }
    )


def test_dataframe_ndarray_and_params_match_mlflow_strings() -> None:
    params = {
        "k": 1,
        "s": "x",
        "f": 1.5,
        "b": True,
        "arr": [1, 2],
        "dt": np.datetime64("2020-01-01"),
    }
    signature = infer_signature(_frame(), np.array([0, 1]), params=params)
    assert signature.to_dict() == {
        "inputs": FRAME_INPUTS,
        "outputs": '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]',
        "params": PARAMS,
    }


@pytest.mark.parametrize(
    ("model_input", "expected"),
    [
        (
            np.zeros((3, 4), dtype=np.float32),
            '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]',
        ),
        (
            {"x": np.zeros((3, 4)), "y": np.zeros(3, dtype=np.uint8)},
            '[{"name": "x", "type": "tensor", "tensor-spec": {"dtype": "float64", "shape": '
            '[-1, 4]}}, {"name": "y", "type": "tensor", "tensor-spec": {"dtype": "uint8", '
            '"shape": [-1]}}]',
        ),
        (
            [{"a": 1, "b": "x"}],
            '[{"type": "long", "name": "a", "required": true}, '
            '{"type": "string", "name": "b", "required": true}]',
        ),
        (
            {"a": 1, "c": [1, 2], "m": {"x": 1.0}},
            '[{"type": "long", "name": "a", "required": true}, {"type": "array", "items": '
            '{"type": "long"}, "name": "c", "required": true}, {"type": "object", '
            '"properties": {"x": {"type": "double", "required": true}}, "name": "m", '
            '"required": true}]',
        ),
        ("hello", '[{"type": "string", "required": true}]'),
        (pd.Series([1.0, 2.0], name="q"), '[{"type": "double", "name": "q", "required": true}]'),
        (
            pd.DataFrame({"a": [1.0, None], "b": ["x", None]}),
            '[{"type": "double", "name": "a", "required": false}, '
            '{"type": "string", "name": "b", "required": false}]',
        ),
        (
            [{"a": 1}, {"a": None, "b": 2}],
            '[{"type": "long", "name": "a", "required": false}, '
            '{"type": "long", "name": "b", "required": false}]',
        ),
        (
            np.array(["a", "b"]),
            '[{"type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1]}}]',
        ),
    ],
)
def test_inferred_inputs_match_mlflow_strings(model_input: object, expected: str) -> None:
    schema = infer_signature(model_input).inputs
    assert schema is not None
    assert schema.to_json() == expected


def test_composite_types_render_and_parse_back() -> None:
    schema = Schema(
        [
            ColSpec(Map(DataType.double), "m"),
            ColSpec(AnyType(), "z", required=False),
            ColSpec(
                Array(
                    Object([Property("b", Array(DataType.long)), Property("a", "string", False)])
                ),
                "arr",
            ),
        ]
    )
    text = schema.to_json()
    assert text == (
        '[{"type": "map", "values": {"type": "double"}, "name": "m", "required": true}, '
        '{"type": "any", "name": "z", "required": false}, {"type": "array", "items": '
        '{"type": "object", "properties": {"a": {"type": "string", "required": false}, '
        '"b": {"type": "array", "items": {"type": "long"}, "required": true}}}, "name": '
        '"arr", "required": true}]'
    )
    assert Schema.from_json(text) == schema
    assert repr(schema) == (
        "['m': Map(str -> double) (required), 'z': Any (optional), "
        "'arr': Array({a: string (optional), b: Array(long) (required)}) (required)]"
    )


def test_signature_round_trips_through_its_dict() -> None:
    signature = infer_signature(_frame(), np.array([0, 1]), params={"k": 1, "arr": [1.0]})
    again = ModelSignature.from_dict(signature.to_dict())
    assert again == signature
    assert again.params is not None
    assert [p.default for p in again.params] == [1, [1.0]]


def test_tensor_spec_round_trip_keeps_dtype_and_shape() -> None:
    schema = Schema([TensorSpec(np.dtype("float32"), (-1, 3), "x")])
    again = Schema.from_json(schema.to_json())
    assert again == schema
    spec = again.inputs[0]
    assert isinstance(spec, TensorSpec)
    assert spec.type == np.dtype("float32")
    assert spec.shape == (-1, 3)


def test_schema_refuses_mixed_named_and_unnamed_inputs() -> None:
    with pytest.raises(MltrailError, match="combination of named and unnamed"):
        Schema([ColSpec("double", "a"), ColSpec("string")])


def test_schema_refuses_mixed_column_and_tensor_specs() -> None:
    with pytest.raises(MltrailError, match="ColSpec and TensorSpec"):
        Schema([ColSpec("double", "a"), TensorSpec(np.dtype("float64"), (-1,), "b")])


def test_param_spec_refuses_a_default_of_the_wrong_type() -> None:
    with pytest.raises(ValueError, match="Can not safely convert"):
        ParamSpec("k", "long", "abc")
    with pytest.raises(MltrailError, match="Duplicated parameters"):
        ParamSchema([ParamSpec("k", "long", 1), ParamSpec("k", "long", 2)])


def test_unknown_type_names_are_refused() -> None:
    with pytest.raises(MltrailError, match="Unsupported type 'decimal'"):
        ColSpec("decimal", "a")
