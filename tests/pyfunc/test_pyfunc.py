"""Custom Python models: context, artifacts, params, loader modules, code paths, logging."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import mltrail
import mltrail.pyfunc
from mltrail.errors import MltrailError
from mltrail.models import Model, infer_signature

FRAME = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 0.0]})


class Scaled(mltrail.pyfunc.PythonModel):
    """Multiplies column a by a factor read from an artifact; adds the `off` param."""

    def load_context(self, context: mltrail.pyfunc.PythonModelContext) -> None:
        self.factor = float(Path(context.artifacts["factor"]).read_text())

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        return model_input["a"] * self.factor + (params or {}).get("off", 0)


class WithContext(mltrail.pyfunc.PythonModel):
    def predict(self, context: Any, model_input: Any) -> Any:
        return [len(context.artifacts), len(model_input)]


def test_python_model_with_artifacts_and_params(tmp_path: Path) -> None:
    (tmp_path / "factor.txt").write_text("3")
    target = tmp_path / "model"
    mltrail.pyfunc.save_model(
        target,
        python_model=Scaled(),
        artifacts={"factor": str(tmp_path / "factor.txt")},
        input_example=(FRAME, {"off": 1}),
    )
    meta = Model.load(target)
    conf = meta.flavors["python_function"]
    assert conf["loader_module"] == "mlflow.pyfunc.model"
    assert conf["artifacts"]["factor"]["path"] == "artifacts/factor.txt"
    assert meta.signature is not None
    assert meta.signature.params is not None
    loaded = mltrail.pyfunc.load_model(str(target))
    assert loaded.predict(FRAME).tolist() == [4.0, 7.0]  # default off=1 from the example
    assert loaded.predict(FRAME, params={"off": 2}).tolist() == [5.0, 8.0]
    assert isinstance(loaded.unwrap_python_model(), Scaled)
    with pytest.raises(MltrailError, match="Model is missing inputs"):
        loaded.predict(FRAME[["a"]])


def test_predict_with_context_and_without_params(tmp_path: Path) -> None:
    mltrail.pyfunc.save_model(tmp_path / "m", python_model=WithContext())
    assert mltrail.pyfunc.load_model(str(tmp_path / "m")).predict(FRAME) == [0, 2]


def test_custom_loader_module_with_data_and_code(tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "doubling_loader.py").write_text(
        "class _Model:\n"
        "    def __init__(self, path):\n"
        "        self.k = float(open(path).read())\n"
        "    def predict(self, data):\n"
        "        return [v * self.k for v in data['a']]\n"
        "def _load_pyfunc(path):\n"
        "    return _Model(path)\n"
    )
    (tmp_path / "k.txt").write_text("2")
    mltrail.pyfunc.save_model(
        tmp_path / "m",
        loader_module="doubling_loader",
        data_path=str(tmp_path / "k.txt"),
        code_paths=[str(code / "doubling_loader.py")],
    )
    try:
        loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
        assert loaded.predict({"a": [1.0, 3.0]}) == [2.0, 6.0]
    finally:
        sys.modules.pop("doubling_loader", None)
        sys.path[:] = [p for p in sys.path if not p.startswith(str(tmp_path))]


def test_save_refuses_both_or_neither_and_a_used_path(tmp_path: Path) -> None:
    with pytest.raises(MltrailError, match="Either `loader_module` or `python_model`"):
        mltrail.pyfunc.save_model(tmp_path / "m")
    mltrail.pyfunc.save_model(tmp_path / "m", python_model=WithContext())
    with pytest.raises(MltrailError, match="already exists"):
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=WithContext())


def test_failed_save_leaves_no_directory(tmp_path: Path) -> None:
    with pytest.raises(MltrailError):
        mltrail.pyfunc.save_model(
            tmp_path / "m", python_model=WithContext(), artifacts={"x": str(tmp_path / "no")}
        )
    assert not (tmp_path / "m").exists()


def test_log_model_then_load_by_model_id_and_run_path(tmp_path: Path) -> None:
    (tmp_path / "factor.txt").write_text("10")
    signature = infer_signature(FRAME, params={"off": 0})
    with mltrail.start_run() as run:
        info = mltrail.pyfunc.log_model(
            name="scaled",
            python_model=Scaled(),
            artifacts={"factor": str(tmp_path / "factor.txt")},
            signature=signature,
            params={"alpha": 0.5},
            tags={"team": "a"},
        )
    assert info.model_uri == f"models:/{info.model_id}"
    assert info.run_id == run.info.run_id
    assert info.signature == signature
    assert info.params == {"alpha": "0.5"}
    client = mltrail.MlflowClient()
    logged = client.get_logged_model(info.model_id)
    assert (logged.status, logged.name, logged.source_run_id) == (
        "READY",
        "scaled",
        run.info.run_id,
    )
    outputs = mltrail.get_run(run.info.run_id).outputs
    assert [o.model_id for o in outputs.model_outputs] == [info.model_id]
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/scaled"):
        assert mltrail.pyfunc.load_model(uri).predict(FRAME).tolist() == [10.0, 20.0]


def test_log_model_without_run_and_with_artifact_path() -> None:
    info = mltrail.pyfunc.log_model(artifact_path="legacy", python_model=WithContext())
    assert info.run_id is None
    assert info.name == "legacy"
    assert mltrail.pyfunc.load_model(info.model_uri).predict(FRAME) == [0, 2]


def test_unknown_model_uri_is_not_found() -> None:
    with pytest.raises(MltrailError) as caught:
        mltrail.pyfunc.load_model("models:/m-" + "0" * 32)
    assert caught.value.error_code == "RESOURCE_DOES_NOT_EXIST"
