"""Models from code cross between MLflow and mltrail: saved by the official `mlflow` and
loaded by mltrail, saved by mltrail and loaded by `mlflow` (in a subprocess), for files
written against either library; predictions and configs must match.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import mltrail.pyfunc
from mltrail.models import Model
from tests.compat.mlflow_process import run_script

pytestmark = pytest.mark.compat

FRAME = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
REQUIREMENTS = ["pandas"]  # skips MLflow's slow subprocess-based requirement inference

# Written for MLflow. `k` comes from ModelConfig while the file runs, `offset` from the
# context, the factor from an artifact.
MLFLOW_FILE = """
from pathlib import Path

import mlflow
from mlflow.models import ModelConfig, set_model

config = ModelConfig(development_config={"k": 1})


class Scaled(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        self.offset = context.model_config["offset"]
        self.factor = float(Path(context.artifacts["factor"]).read_text())

    def predict(self, context, model_input, params=None):
        extra = (params or {}).get("extra", 0)
        return [
            v * config.get("k") * self.factor + self.offset + extra for v in model_input["a"]
        ]


set_model(Scaled())
"""

# Written with mltrail, as its users do.
MLTRAIL_FILE = """
import mltrail as mlflow
from mltrail.models import ModelConfig

config = ModelConfig(development_config={"k": 1})


class Scaled(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        self.offset = context.model_config["offset"]

    def predict(self, model_input, params=None):
        extra = (params or {}).get("extra", 0)
        return [v * config.get("k") + self.offset + extra for v in model_input["a"]]


mlflow.models.set_model(Scaled())
"""

FUNCTION_FILE = """
import mlflow


def negate(model_input):
    return [-v for v in model_input["a"]]


mlflow.models.set_model(negate)
"""


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its import warns about its own type hints
        import mlflow.models
        import mlflow.pyfunc
    return mlflow


def _files(folder: Path) -> dict[str, str]:
    (folder / "factor.txt").write_text("2")
    (folder / "config.yaml").write_text("k: 3\noffset: 0.5\n")
    for name, text in (
        ("mlflow_model.py", MLFLOW_FILE),
        ("mltrail_model.py", MLTRAIL_FILE),
        ("function_model.py", FUNCTION_FILE),
    ):
        (folder / name).write_text(text)
    return {"factor": str(folder / "factor.txt")}


def test_models_from_code_saved_by_mlflow_load_in_mltrail(tmp_path: Path) -> None:
    mlflow = _mlflow()
    artifacts = _files(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.pyfunc.save_model(
            tmp_path / "mlflow_style",
            python_model=str(tmp_path / "mlflow_model.py"),
            model_config={"k": 2, "offset": 1},
            artifacts=artifacts,
            pip_requirements=REQUIREMENTS,
        )
        mlflow.pyfunc.save_model(
            tmp_path / "yaml_config",
            python_model=str(tmp_path / "mlflow_model.py"),
            model_config=str(tmp_path / "config.yaml"),
            artifacts=artifacts,
            pip_requirements=REQUIREMENTS,
        )
        # MLflow runs a file written with mltrail too: its set_model reaches MLflow's.
        mlflow.pyfunc.save_model(
            tmp_path / "mltrail_style",
            python_model=str(tmp_path / "mltrail_model.py"),
            model_config={"k": 4, "offset": 2},
            pip_requirements=REQUIREMENTS,
        )
        mlflow.pyfunc.save_model(
            tmp_path / "function",
            python_model=str(tmp_path / "function_model.py"),
            pip_requirements=REQUIREMENTS,
        )
        cases: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = [
            ("mlflow_style", None, None),
            ("mlflow_style", {"extra": 10}, {"k": 5}),
            ("yaml_config", None, None),
            ("mltrail_style", {"extra": 1}, None),
            ("function", None, None),
        ]
        theirs = []
        for name, params, config in cases:
            model = mlflow.pyfunc.load_model(str(tmp_path / name), model_config=config)
            theirs.append((list(model.predict(FRAME, params=params)), model.model_config))
    assert Model.load(tmp_path / "function").flavors["python_function"]["loader_module"] == (
        "mlflow.pyfunc.loaders.code_model"
    )
    ours = []
    for name, params, config in cases:
        model = mltrail.pyfunc.load_model(str(tmp_path / name), model_config=config)
        ours.append((list(model.predict(FRAME, params=params)), model.model_config))
    assert ours == theirs
    assert ours[0][0] == [5.0, 9.0, 13.0]
    # With MLflow imported in this process, the MLflow-style file still ran against mltrail.
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "mlflow_style"))
    assert isinstance(loaded.unwrap_python_model(), mltrail.pyfunc.PythonModel)


_MLFLOW_LOADER = """
import json, sys
import pandas as pd
import mlflow.pyfunc
frame = pd.DataFrame(json.loads(sys.argv[2]))
out = {}
for case in json.loads(sys.argv[3]):
    name, params, config = case
    model = mlflow.pyfunc.load_model(f"{sys.argv[1]}/{name}", model_config=config)
    out[name + json.dumps(params)] = [list(model.predict(frame, params=params)),
                                      model.model_config]
print("RESULT" + json.dumps(out))
"""


def test_models_from_code_saved_by_mltrail_load_in_mlflow(tmp_path: Path) -> None:
    artifacts = _files(tmp_path)
    mltrail.pyfunc.save_model(
        tmp_path / "mlflow_style",
        python_model=str(tmp_path / "mlflow_model.py"),
        model_config={"k": 2, "offset": 1},
        artifacts=artifacts,
        input_example=(FRAME, {"extra": 0}),
    )
    mltrail.pyfunc.save_model(
        tmp_path / "mltrail_style",
        python_model=tmp_path / "mltrail_model.py",
        model_config=tmp_path / "config.yaml",
    )
    mltrail.pyfunc.save_model(
        tmp_path / "function", python_model=str(tmp_path / "function_model.py")
    )
    cases: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = [
        ("mlflow_style", {"extra": 10}, None),
        ("mltrail_style", None, None),
        ("mltrail_style", {"extra": 1}, {"offset": 0}),
        ("function", None, None),
    ]
    ours: dict[str, Any] = {}
    for name, params, config in cases:
        model = mltrail.pyfunc.load_model(str(tmp_path / name), model_config=config)
        predicted = [float(v) for v in model.predict(FRAME, params=params)]
        ours[name + json.dumps(params)] = [predicted, model.model_config]
    assert (
        run_script(
            _MLFLOW_LOADER,
            [str(tmp_path), FRAME.to_json(orient="columns"), json.dumps(cases)],
            tmp_path,
        )
        == ours
    )
    assert ours['mlflow_style{"extra": 10}'][0] == [15.0, 19.0, 23.0]
    assert ours["mltrail_stylenull"] == [[3.5, 6.5, 9.5], {"k": 3, "offset": 0.5}]
