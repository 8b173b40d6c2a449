"""Models from code: `python_model=<file>` saves the file, loading runs it (`set_model`),
`model_config` reaches `ModelConfig` and the context; files written for MLflow run too."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import mltrail
import mltrail.pyfunc
from mltrail.errors import MltrailError
from mltrail.models import Model, ModelConfig, set_model

FRAME = pd.DataFrame({"a": [1, 2, 3]})

# Written with mltrail: `k` comes from ModelConfig while the file runs, `offset` from the
# context in load_context; a module-level counter shows each load runs the file afresh.
MLTRAIL_FILE = """
import mltrail
from mltrail.models import ModelConfig, set_model

config = ModelConfig(development_config={"k": 1})
RUNS = [0]
RUNS[0] += 1


class Scaled(mltrail.pyfunc.PythonModel):
    def load_context(self, context):
        self.offset = context.model_config.get("offset", 0)
        self.runs = RUNS[0]

    def predict(self, model_input, params=None):
        extra = (params or {}).get("extra", 0)
        return [v * config.get("k") + self.offset + extra for v in model_input["a"]]


set_model(Scaled())
"""

# Written for MLflow: every `mlflow` name resolves to mltrail while mltrail runs the file.
MLFLOW_FILE = """
import mlflow
import mlflow.pyfunc as pf
from mlflow.models import ModelConfig, set_model

config = ModelConfig(development_config="dev.yaml")


class Doubled(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        assert isinstance(self, pf.PythonModel)
        return model_input["a"] * 2 + config.get("shift")


mlflow.models.set_model(Doubled())
"""

FUNCTION_FILE = """
from mltrail.models import set_model


def add_one(model_input):
    return model_input + 1


set_model(add_one)
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture
def no_mlflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if MLflow were not installed: `import mlflow...` fails, nothing to forward to."""
    for name in [n for n in sys.modules if n == "mlflow" or n.startswith("mlflow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mlflow", None)


def test_save_writes_the_file_and_mlflow_fields_and_load_runs_it(tmp_path: Path) -> None:
    code = _write(tmp_path, "scaled_model.py", MLTRAIL_FILE)
    target = tmp_path / "model"
    mltrail.pyfunc.save_model(
        target,
        python_model=str(code),
        model_config={"k": 3, "offset": 1},
        input_example=(FRAME, {"extra": 0}),
    )
    files = sorted(os.listdir(target))
    assert "scaled_model.py" in files
    assert "python_model.pkl" not in files
    assert "__pycache__" not in files  # the file is compiled in memory, never cached
    assert (target / "scaled_model.py").read_text() == MLTRAIL_FILE
    meta = Model.load(target)
    conf = meta.flavors["python_function"]
    assert conf["loader_module"] == "mlflow.pyfunc.loaders.code_model"
    assert conf["model_code_path"] == str(code)
    assert conf["config"] == {"k": 3, "offset": 1}
    assert "python_model" not in conf
    assert meta.signature is not None
    assert meta.signature.params is not None
    assert "mltrail==" in (target / "requirements.txt").read_text()

    code.unlink()  # loading uses the copy in the model directory
    loaded = mltrail.pyfunc.load_model(str(target))
    assert loaded.predict(FRAME) == [4, 7, 10]
    assert loaded.predict(FRAME, params={"extra": 10}) == [14, 17, 20]
    assert loaded.model_config == {"k": 3, "offset": 1}
    assert loaded.unwrap_python_model().runs == 1

    again = mltrail.pyfunc.load_model(str(target), model_config={"k": 10})
    assert again.predict(FRAME) == [11, 21, 31]
    assert again.model_config == {"k": 10, "offset": 1}
    assert again.unwrap_python_model().runs == 1  # a fresh module, not the first load's
    assert loaded.predict(FRAME) == [4, 7, 10]  # the first load keeps its own config


def test_yaml_model_config_and_a_path_object(tmp_path: Path) -> None:
    code = _write(tmp_path, "scaled_model.py", MLTRAIL_FILE)
    saved = _write(tmp_path, "config.yaml", "k: 2\noffset: 5\n")
    override = _write(tmp_path, "override.yaml", "offset: 0\n")
    mltrail.pyfunc.save_model(tmp_path / "m", python_model=code, model_config=saved)
    assert Model.load(tmp_path / "m").flavors["python_function"]["config"] == {
        "k": 2,
        "offset": 5,
    }
    assert mltrail.pyfunc.load_model(str(tmp_path / "m")).predict(FRAME) == [7, 9, 11]
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"), model_config=str(override))
    assert loaded.predict(FRAME) == [2, 4, 6]


def test_a_function_can_be_the_model(tmp_path: Path) -> None:
    code = _write(tmp_path, "function_model.py", FUNCTION_FILE)
    mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(code), input_example=FRAME)
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    pd.testing.assert_frame_equal(loaded.predict(FRAME), FRAME + 1)
    assert loaded.metadata.signature is not None
    assert loaded.metadata.signature.outputs is not None


def test_a_file_written_for_mlflow_runs_without_mlflow(tmp_path: Path, no_mlflow: None) -> None:
    code = _write(tmp_path, "doubled.py", MLFLOW_FILE)
    mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(code), model_config={"shift": 1})
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    assert loaded.predict(FRAME).tolist() == [3, 5, 7]
    assert isinstance(loaded.unwrap_python_model(), mltrail.pyfunc.PythonModel)
    assert sys.modules["mlflow"] is None  # the renaming stayed inside the model file
    with pytest.raises(ImportError):
        import mlflow  # noqa: F401


def test_mlflow_modules_mltrail_lacks_fail_clearly(tmp_path: Path) -> None:
    code = _write(tmp_path, "chain.py", "import mlflow.langchain\n")
    with pytest.raises(MltrailError, match=r"No module named 'mlflow\.langchain'.*mltrail"):
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(code))
    assert not (tmp_path / "m").exists()


def test_log_model_from_code_and_load_by_uri(tmp_path: Path) -> None:
    code = _write(tmp_path, "scaled_model.py", MLTRAIL_FILE)
    with mltrail.start_run() as run:
        info = mltrail.pyfunc.log_model(
            name="scaled", python_model=code, model_config={"k": 4, "offset": 0}
        )
    assert info.flavors["python_function"]["loader_module"] == "mlflow.pyfunc.loaders.code_model"
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/scaled"):
        assert mltrail.pyfunc.load_model(uri).predict(FRAME) == [4, 8, 12]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MltrailError, match=r"does not exist.*Perhaps you meant '.*model\.py'"):
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(tmp_path / "model"))
    with pytest.raises(MltrailError) as caught:
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=tmp_path / "nope.py")
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    assert not (tmp_path / "m").exists()


def test_a_file_that_never_sets_a_model_is_refused(tmp_path: Path) -> None:
    code = _write(tmp_path, "empty_model.py", "import mltrail\nMODEL = 1\n")
    with pytest.raises(MltrailError, match=r"never called set_model") as caught:
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(code))
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    assert not (tmp_path / "m").exists()


def test_a_saved_file_that_stops_setting_a_model_fails_to_load(tmp_path: Path) -> None:
    code = _write(tmp_path, "function_model.py", FUNCTION_FILE)
    mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(code))
    (tmp_path / "m" / "function_model.py").write_text("x = 1\n")
    with pytest.raises(MltrailError, match="never called set_model"):
        mltrail.pyfunc.load_model(str(tmp_path / "m"))


def _code_modules() -> set[str]:
    return {name for name in sys.modules if name.startswith("mltrail_code_model_")}


def test_errors_in_the_file_and_bad_models(tmp_path: Path) -> None:
    broken = _write(tmp_path, "broken.py", "raise RuntimeError('no GPU here')\n")
    before = _code_modules()
    with pytest.raises(MltrailError, match=r"Failed to run .*broken\.py.*RuntimeError: no GPU"):
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(broken))
    assert _code_modules() == before  # a failed run leaves no module behind
    wrong = _write(tmp_path, "wrong.py", "from mltrail.models import set_model\nset_model(3)\n")
    with pytest.raises(MltrailError, match=r"set_model\(\) takes a PythonModel"):
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(wrong))
    with pytest.raises(MltrailError, match="set_model"):
        set_model("model.py")


def test_model_config_errors(tmp_path: Path) -> None:
    code = _write(tmp_path, "scaled_model.py", MLTRAIL_FILE)
    # The file reads ModelConfig, so saving it without a model_config fails (as in MLflow).
    with pytest.raises(MltrailError, match="saved without a `model_config`"):
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(code))
    with pytest.raises(MltrailError, match="JSON-serializable"):
        mltrail.pyfunc.save_model(
            tmp_path / "m", python_model=str(code), model_config={"k": object()}
        )
    bad_yaml = _write(tmp_path, "bad.yaml", "k: [1\n")
    with pytest.raises(MltrailError, match="not valid YAML"):
        mltrail.pyfunc.save_model(tmp_path / "m", python_model=str(code), model_config=bad_yaml)
    with pytest.raises(MltrailError, match="does not exist"):
        mltrail.pyfunc.save_model(
            tmp_path / "m", python_model=str(code), model_config=str(tmp_path / "no.yaml")
        )
    assert not (tmp_path / "m").exists()


def test_model_config_while_developing(tmp_path: Path, no_mlflow: None) -> None:
    assert ModelConfig(development_config={"a": 1}).get("a") == 1
    dev = _write(tmp_path, "dev.yaml", "a: 2\nb: [x, y]\n")
    config = ModelConfig(development_config=str(dev))
    assert config.to_dict() == {"a": 2, "b": ["x", "y"]}
    with pytest.raises(KeyError, match="'c' not found"):
        config.get("c")
    with pytest.raises(FileNotFoundError):
        ModelConfig()
    with pytest.raises(FileNotFoundError, match=r"missing\.yaml"):
        ModelConfig(development_config=str(tmp_path / "missing.yaml"))


def test_set_model_outside_a_save_only_checks_the_model(no_mlflow: None) -> None:
    def identity(model_input: Any) -> Any:
        return model_input

    set_model(identity)
    set_model(mltrail.pyfunc.PythonModel())
