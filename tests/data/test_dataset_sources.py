"""Dataset sources: resolution from what users pass, JSON round trips, and custom datasets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import mltrail.data
from mltrail.data import (
    ArtifactDatasetSource,
    CodeDatasetSource,
    Dataset,
    DatasetSource,
    HTTPDatasetSource,
    get_dataset_source_from_json,
)
from mltrail.data.sources import resolve_source
from mltrail.entities import DatasetInput, InputTag
from mltrail.errors import ErrorCode, MltrailError


@pytest.mark.parametrize(
    ("given", "source_type", "fields"),
    [
        ("data/train.csv", "local", {"uri": "data/train.csv"}),
        ("file:///data/train.csv", "local", {"uri": "file:///data/train.csv"}),
        ("s3://bucket/train.csv", "s3", {"uri": "s3://bucket/train.csv"}),
        ("gs://bucket/train.csv", "gs", {"uri": "gs://bucket/train.csv"}),
        ("https://example.com/train.csv", "http", {"url": "https://example.com/train.csv"}),
    ],
)
def test_sources_resolve_like_mlflow(given: str, source_type: str, fields: dict[str, str]) -> None:
    source = resolve_source(given)
    assert (source.source_type, source.to_dict()) == (source_type, fields)
    assert source._get_source_type() == source_type
    assert get_dataset_source_from_json(source.to_json(), source_type) == source


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(MltrailError, match="dbfs:/x") as caught:
        resolve_source("dbfs:/x")
    assert caught.value.code is ErrorCode.INVALID_PARAMETER_VALUE


def test_get_source_reads_back_logged_entities() -> None:
    entity = CodeDatasetSource({"mlflow.user": "ann"})
    dataset_input = DatasetInput(
        dataset=_TinyDataset(entity).to_entity(), tags=(InputTag("mlflow.data.context", "train"),)
    )
    assert mltrail.data.get_source(dataset_input) == entity
    assert mltrail.data.get_source(dataset_input.dataset).to_dict() == {
        "tags": {"mlflow.user": "ann"}
    }
    with pytest.raises(MltrailError, match="get_source"):
        mltrail.data.get_source("not a dataset")  # type: ignore[arg-type]


def test_local_source_loads_to_a_copy(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "rows.csv").write_text("a\n1\n")
    source = ArtifactDatasetSource(str(tmp_path / "in" / "rows.csv"))
    assert source.load() == str(tmp_path / "in" / "rows.csv")


def test_malformed_stored_source_is_refused() -> None:
    with pytest.raises(MltrailError, match="JSON object"):
        get_dataset_source_from_json("[]", "local")
    with pytest.raises(MltrailError, match="Unknown dataset source type"):
        get_dataset_source_from_json('{"uri": "x"}', "delta_table")


class _TinyDataset(Dataset):
    """A custom dataset the way users write one: data first, then the base constructor."""

    def __init__(self, source: DatasetSource) -> None:
        self.rows = [1, 2, 3]
        super().__init__(source, name="tiny")

    def _compute_digest(self) -> str:
        return f"{sum(self.rows):08x}"

    @property
    def profile(self) -> dict[str, int]:
        return {"num_rows": len(self.rows)}


def test_custom_dataset_serialises_through_the_base_class() -> None:
    dataset = _TinyDataset(HTTPDatasetSource("https://example.com/tiny.json"))
    assert json.loads(dataset.to_json()) == {
        "name": "tiny",
        "digest": "00000006",
        "source": '{"url": "https://example.com/tiny.json"}',
        "source_type": "http",
        "schema": None,
        "profile": '{"num_rows": 3}',
    }
    entity = dataset.to_entity()
    assert (entity.name, entity.digest, entity.schema) == ("tiny", "00000006", None)


def test_pandas_and_numpy_load_only_when_a_dataset_is_built() -> None:
    code = (
        "import sys, mltrail.data, mltrail.data.sources\n"
        "assert not {'pandas', 'numpy'} & set(sys.modules), 'eager import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
