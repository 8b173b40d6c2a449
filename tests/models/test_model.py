"""The MLmodel manifest, input examples and environment files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mltrail.errors import MltrailError
from mltrail.models import Model, get_model_info, infer_signature, set_signature
from mltrail.models.environment import (
    modules_in_pickle,
    requirements_for_modules,
    resolve_requirements,
    write_environment,
)
from mltrail.models.input_example import load_input_example, save_input_example


def test_mlmodel_round_trip_keeps_unknown_fields(tmp_path: Path) -> None:
    signature = infer_signature(pd.DataFrame({"a": [1.0]}), params={"k": 1})
    model = Model(signature=signature, metadata={"owner": "me"}, prompts=None, custom={"x": 1})
    model.add_flavor("python_function", loader_module="mlflow.sklearn", model_path="m.pkl")
    model.save(tmp_path)
    fields = yaml.safe_load((tmp_path / "MLmodel").read_text())
    assert fields["mltrail_version"]
    assert "mlflow_version" not in fields
    assert fields["signature"]["params"] == signature.to_dict()["params"]
    again = Model.load(tmp_path)
    assert again == model
    assert again.custom == {"x": 1}
    assert again.get_params_schema() == signature.params
    info = get_model_info(str(tmp_path))
    assert info.signature_dict == signature.to_dict()
    assert info.flavors["python_function"]["model_path"] == "m.pkl"


def test_mlflow_fields_are_kept_as_written(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(
        "flavors: {}\nmlflow_version: 3.17.2\nmodel_uuid: abc\nmodel_size_bytes: '12'\n"
        "utc_time_created: '2026-01-01 00:00:00.000000'\nis_signature_from_type_hint: false\n"
    )
    model = Model.load(tmp_path / "MLmodel")
    assert (model.mlflow_version, model.mltrail_version, model.model_size_bytes) == (
        "3.17.2",
        None,
        12,
    )
    assert model.to_dict()["is_signature_from_type_hint"] is False


def test_missing_mlmodel_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(MltrailError, match="Could not find an 'MLmodel'") as caught:
        Model.load(tmp_path)
    assert caught.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_set_signature_rewrites_a_local_model(tmp_path: Path) -> None:
    Model().save(tmp_path)
    signature = infer_signature(np.zeros((2, 3)))
    set_signature(str(tmp_path), signature)
    assert Model.load(tmp_path).signature == signature


def test_dataframe_example_with_params(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    info = save_input_example(str(tmp_path), (frame, {"off": 1}))
    assert info == {
        "artifact_path": "input_example.json",
        "type": "dataframe",
        "pandas_orient": "split",
        "params": "true",
        "serving_input_path": "serving_input_example.json",
    }
    assert json.loads((tmp_path / "input_example.json").read_text()) == {
        "inputs": {"columns": ["a", "b"], "data": [[1.0, "x"], [2.0, "y"]]},
        "params": {"off": 1},
    }
    serving = json.loads((tmp_path / "serving_input_example.json").read_text())
    assert serving["dataframe_split"]["columns"] == ["a", "b"]
    assert serving["params"] == {"off": 1}
    pd.testing.assert_frame_equal(load_input_example(str(tmp_path), info), frame)


@pytest.mark.parametrize(
    ("example", "kind", "serving"),
    [
        (np.array([[1.0, 2.0]]), "ndarray", {"inputs": [[1.0, 2.0]]}),
        ({"x": np.array([1, 2])}, "ndarray", {"inputs": {"x": [1, 2]}}),
        (["a", "b"], "json_object", {"inputs": ["a", "b"]}),
        ("hi", "json_object", {"inputs": "hi"}),
    ],
)
def test_other_examples(tmp_path: Path, example: object, kind: str, serving: object) -> None:
    info = save_input_example(str(tmp_path), example)
    assert info["type"] == kind
    assert json.loads((tmp_path / "serving_input_example.json").read_text()) == serving


def test_requirements_inference_and_overrides(tmp_path: Path) -> None:
    inferred = requirements_for_modules(["sklearn.linear_model", "os", "numpy"])
    assert any(r.startswith("scikit-learn==") for r in inferred)
    assert any(r.startswith("numpy==") for r in inferred)
    assert resolve_requirements(inferred, pip_requirements=["a==1"]) == ["a==1"]
    extra = resolve_requirements(["numpy==1", "b"], extra_pip_requirements=["numpy>=2"])
    assert extra == ["b", "numpy>=2"]
    with pytest.raises(MltrailError, match="Only one of"):
        resolve_requirements([], ["a"], ["b"])
    env = write_environment(str(tmp_path), ["x==1"], extra_pip_requirements=["y"])
    assert env == {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
    assert (tmp_path / "requirements.txt").read_text() == "x==1\ny"
    python_env = yaml.safe_load((tmp_path / "python_env.yaml").read_text())
    assert python_env["dependencies"] == ["-r requirements.txt"]
    conda = yaml.safe_load((tmp_path / "conda.yaml").read_text())
    assert conda["dependencies"][-1] == {"pip": ["x==1", "y"]}


def test_pickle_scan_finds_referenced_packages(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "obj.pkl"
    path.write_bytes(pickle.dumps(pd.DataFrame({"a": [1]})))
    assert "pandas" in modules_in_pickle(str(path))
