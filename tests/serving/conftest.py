"""Small saved models for the scoring-server tests, and a live `mltrail models serve`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.compat.conftest import LiveServer, launch, stop_server

os.environ.setdefault("OMP_NUM_THREADS", "1")

FEATURES = {"a": [0.0, 1.0, 2.0, 3.0, 0.5, 2.5], "b": [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]}
LABELS = [0, 0, 1, 1, 0, 1]


def save_sklearn_model(path: Path) -> Path:
    """A logistic regression on two double columns, with its signature and input example."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    import mltrail.sklearn
    from mltrail.models.signature import infer_signature

    frame = pd.DataFrame(FEATURES)
    model = LogisticRegression().fit(frame, LABELS)
    signature = infer_signature(frame, model.predict(frame))
    mltrail.sklearn.save_model(model, path, signature=signature, input_example=frame.head(2))
    return path


def save_params_model(path: Path) -> Path:
    """A PythonModel answering ``x * factor``, where ``factor`` is a param (default 2.0)."""
    import pandas as pd

    import mltrail.pyfunc
    from mltrail.models.signature import infer_signature

    # Defined here so cloudpickle stores the class by value and a server process can load it.
    class Scale(mltrail.pyfunc.PythonModel):
        def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
            return model_input["x"] * params["factor"]

    example = pd.DataFrame({"x": [1.0, 2.0]})
    signature = infer_signature(example, example["x"], params={"factor": 2.0})
    mltrail.pyfunc.save_model(path, python_model=Scale(), signature=signature)
    return path


def start_scoring_server(root: Path, model: Path | str, *args: str) -> LiveServer:
    program = [sys.executable, "-m", "mltrail.cli.main", "models", "serve"]
    return launch(root, program, ["-m", str(model), *args])


@pytest.fixture(scope="session")
def sklearn_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_sklearn_model(tmp_path_factory.mktemp("sklearn") / "model")


@pytest.fixture(scope="session")
def params_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_params_model(tmp_path_factory.mktemp("params") / "model")


@pytest.fixture(scope="session")
def scoring_server(
    tmp_path_factory: pytest.TempPathFactory, sklearn_model: Path
) -> Iterator[LiveServer]:
    server = start_scoring_server(tmp_path_factory.mktemp("serve"), sklearn_model)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def params_server(
    tmp_path_factory: pytest.TempPathFactory, params_model: Path
) -> Iterator[LiveServer]:
    server = start_scoring_server(tmp_path_factory.mktemp("serve-params"), params_model)
    yield server
    stop_server(server)
