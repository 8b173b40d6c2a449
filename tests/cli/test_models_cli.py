"""`mltrail models predict` on JSON and CSV files, and the options `serve` accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.serving.conftest import save_sklearn_model


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_sklearn_model(tmp_path_factory.mktemp("cli-model") / "model")


def test_predict_json_to_a_file(mltrail: Invoke, model: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"dataframe_records": [{"a": 0.0, "b": 1.0}, {"a": 3, "b": 0}]}))
    out = tmp_path / "out.json"
    mltrail("models", "predict", "-m", str(model), "-i", str(source), "-o", str(out))
    assert json.loads(out.read_text()) == {"predictions": [0, 1]}


def test_predict_csv_to_stdout(mltrail: Invoke, model: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("a,b\n3,0\n0,1\n")
    result = mltrail("models", "predict", "-m", str(model), "-i", str(source), "-t", "csv")
    assert json.loads(result.output) == {"predictions": [1, 0]}


def test_predict_the_saved_serving_example(mltrail: Invoke, model: Path) -> None:
    example = model / "serving_input_example.json"
    result = mltrail("models", "predict", "-m", str(model), "-i", str(example))
    assert json.loads(result.output) == {"predictions": [0, 0]}


def test_schema_violation_is_a_clean_error(mltrail: Invoke, model: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"dataframe_records": [{"a": 0.0}]}))
    result = mltrail("models", "predict", "-m", str(model), "-i", str(source), ok=False)
    assert "Model is missing inputs ['b']" in result.output
