"""NumPy datasets: digests, tensor schemas and profiles for arrays and dicts of arrays."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mltrail.data
from mltrail.errors import MltrailError


def test_digest_depends_on_values_shape_dtype_and_targets() -> None:
    base = np.arange(6.0).reshape(3, 2)
    digest = mltrail.data.from_numpy(base).digest
    assert len(digest) == 8
    assert mltrail.data.from_numpy(base.copy()).digest == digest
    variants = [
        {"features": base + 1},
        {"features": base.reshape(2, 3)},
        {"features": base.astype("float32")},
        {"features": base, "targets": np.array([0, 1, 1])},
        {"features": {"x": base}},
    ]
    digests = {mltrail.data.from_numpy(**v).digest for v in variants}  # type: ignore[arg-type]
    assert digest not in digests
    assert len(digests) == len(variants)


def test_array_schema_and_profile() -> None:
    dataset = mltrail.data.from_numpy(
        np.zeros((4, 3), dtype="float32"), targets=np.array([1, 0, 1, 0])
    )
    stored = json.loads(dataset.to_dict()["schema"] or "")["mlflow_tensorspec"]
    assert json.loads(stored["features"]) == [
        {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}
    ]
    assert json.loads(stored["targets"]) == [
        {"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}
    ]
    assert dataset.profile == {
        "features_shape": [4, 3],
        "features_size": 12,
        "features_nbytes": 48,
        "targets_shape": [4],
        "targets_size": 4,
        "targets_nbytes": 32,
    }


def test_named_arrays_schema_and_profile() -> None:
    features = {"age": np.array([31, 40]), "name": np.array(["ann", "bo"])}
    dataset = mltrail.data.from_numpy(features, source="s3://bucket/people.npz")
    stored = json.loads(dataset.to_dict()["schema"] or "")["mlflow_tensorspec"]
    assert stored["targets"] is None
    assert json.loads(stored["features"]) == [
        {"name": "age", "type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}},
        {"name": "name", "type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1]}},
    ]
    assert dataset.profile["features_shape"] == {"age": [2], "name": [2]}
    assert dataset.to_entity().source_type == "s3"


def test_scalar_array_has_no_schema() -> None:
    assert mltrail.data.from_numpy(np.array(5.0)).schema is None


def test_lists_are_refused_with_a_clear_error() -> None:
    with pytest.raises(MltrailError, match=r"numpy\.ndarray"):
        mltrail.data.from_numpy([1, 2])  # type: ignore[arg-type]
