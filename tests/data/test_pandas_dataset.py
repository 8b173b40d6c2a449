"""Pandas datasets: digest stability and sensitivity, schema and profile, and validation."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import mltrail.data
from mltrail.data.pandas_dataset import PandasDataset
from mltrail.errors import ErrorCode, MltrailError


def frame() -> pd.DataFrame:
    return pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": [0, 1, 0], "city": ["Oslo", "Lima", None]})


def test_digest_is_eight_hex_chars_and_stable_for_equal_content() -> None:
    digest = mltrail.data.from_pandas(frame()).digest
    assert len(digest) == 8
    assert int(digest, 16) >= 0
    assert mltrail.data.from_pandas(frame().copy()).digest == digest


@pytest.mark.parametrize(
    "change",
    [
        lambda df: df.assign(x=[1.0, 2.0, 3.5]),  # a value
        lambda df: df.rename(columns={"x": "y"}),  # a column name
        lambda df: df.astype({"label": "int32"}),  # a dtype
        lambda df: df.iloc[:2],  # the row count
        lambda df: df.set_axis([7, 8, 9]),  # the index
        lambda df: df[["label", "x", "city"]],  # the column order
    ],
)
def test_digest_changes_with_content(change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    changed = change(frame())
    assert mltrail.data.from_pandas(changed).digest != mltrail.data.from_pandas(frame()).digest


def test_digest_samples_leading_rows_but_counts_all_of_them() -> None:
    values = np.arange(20_000.0)
    late_change = values.copy()
    late_change[15_000] = -1
    assert (
        mltrail.data.from_pandas(pd.DataFrame({"a": values})).digest
        == mltrail.data.from_pandas(pd.DataFrame({"a": late_change})).digest
    )
    assert (
        mltrail.data.from_pandas(pd.DataFrame({"a": values})).digest
        != mltrail.data.from_pandas(pd.DataFrame({"a": values[:-1]})).digest
    )


def test_unhashable_cells_still_digest() -> None:
    one = mltrail.data.from_pandas(pd.DataFrame({"tokens": [[1, 2], [3]]}))
    two = mltrail.data.from_pandas(pd.DataFrame({"tokens": [[1, 2], [4]]}))
    assert one.digest != two.digest


def test_explicit_name_and_digest_are_kept() -> None:
    dataset = mltrail.data.from_pandas(frame(), name="train", digest="custom")
    assert (dataset.name, dataset.digest) == ("train", "custom")
    assert mltrail.data.from_pandas(frame()).name == "dataset"


def test_schema_profile_and_entity_fields() -> None:
    dataset = mltrail.data.from_pandas(frame(), targets="label", source="/data/train.csv")
    assert isinstance(dataset, PandasDataset)
    assert dataset.profile == {"num_rows": 3, "num_elements": 9}
    assert dataset.schema is not None
    assert dataset.schema.input_names() == ["x", "label", "city"]

    entity = dataset.to_entity()
    assert entity.source_type == "local"
    assert json.loads(entity.source) == {"uri": "/data/train.csv"}
    assert json.loads(entity.profile or "") == {"num_rows": 3, "num_elements": 9}
    assert json.loads(entity.schema or "") == {
        "mlflow_colspec": [
            {"type": "double", "name": "x", "required": True},
            {"type": "long", "name": "label", "required": True},
            {"type": "string", "name": "city", "required": False},
        ]
    }
    assert dataset.to_dict()["schema"] == entity.schema


def test_targets_and_predictions_split_off_the_features() -> None:
    df = frame().assign(pred=[0, 0, 1])
    dataset = mltrail.data.from_pandas(df, targets="label", predictions="pred")
    assert (dataset.targets, dataset.predictions) == ("label", "pred")
    assert list(dataset.features.columns) == ["x", "city"]
    assert dataset.df is df


@pytest.mark.parametrize("role", ["targets", "predictions"])
def test_missing_role_column_is_refused(role: str) -> None:
    with pytest.raises(MltrailError, match=f"specified {role} column 'nope'") as caught:
        mltrail.data.from_pandas(frame(), **{role: "nope"})
    assert caught.value.code is ErrorCode.INVALID_PARAMETER_VALUE


def test_columns_without_an_mlflow_type_leave_the_schema_unknown() -> None:
    dataset = mltrail.data.from_pandas(pd.DataFrame({"mixed": [1, "a"]}))
    assert dataset.schema is None
    assert dataset.to_dict()["schema"] is None
    assert dataset.to_entity().profile == '{"num_rows": 2, "num_elements": 2}'


def test_non_frames_are_refused() -> None:
    with pytest.raises(MltrailError, match=r"pandas\.DataFrame"):
        mltrail.data.from_pandas([1, 2, 3])  # type: ignore[arg-type]
