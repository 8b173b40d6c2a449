"""Models cross between MLflow and mltrail: saved by the official `mlflow` and loaded by
mltrail, saved by mltrail and loaded by `mlflow` (in a subprocess); predictions must match.
Signatures inferred by both libraries from the same data are identical strings.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

import cloudpickle
import numpy as np
import pandas as pd
import pytest

import mltrail.models
import mltrail.pyfunc
import mltrail.sklearn
from tests.compat.mlflow_process import run_script

pytestmark = pytest.mark.compat
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Model classes defined here travel by value, so another process can unpickle them.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

FRAME = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 0.0, 1.0, 0.0]})


@pytest.fixture(scope="module")
def estimator() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(FRAME, [0, 1, 0, 1])


class MltrailScaled(mltrail.pyfunc.PythonModel):
    def load_context(self, context: Any) -> None:
        self.factor = float(Path(context.artifacts["factor"]).read_text())

    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        return model_input["a"] * self.factor + (params or {}).get("off", 0)


def _mlflow() -> Any:
    """The official package (its import warns about its own type hints: ignored)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.models
        import mlflow.pyfunc
        import mlflow.sklearn
    return mlflow


def _mlflow_scaled() -> Any:
    mlflow = _mlflow()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow asks for type hints when the class is made

        class MlflowScaled(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
            # No type hints: MLflow would try (and warn about) hint-based validation.
            def load_context(self, context):  # type: ignore[no-untyped-def]
                self.factor = float(Path(context.artifacts["factor"]).read_text())

            def predict(self, model_input, params=None):  # type: ignore[no-untyped-def]
                return model_input["a"] * self.factor + (params or {}).get("off", 0)

    return MlflowScaled()


# Unpickling MLflow's PythonModel subclass re-creates the class, and MLflow warns about hints.
@pytest.mark.filterwarnings("ignore:.*Add type hints to the `predict` method:UserWarning")
def test_models_saved_by_mlflow_load_in_mltrail(tmp_path: Path, estimator: Any) -> None:
    mlflow = _mlflow()

    (tmp_path / "factor.txt").write_text("3")
    requirements = ["scikit-learn"]  # skips MLflow's slow subprocess-based inference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.sklearn.save_model(
            estimator, tmp_path / "skops", pip_requirements=requirements, input_example=FRAME
        )
        mlflow.sklearn.save_model(
            estimator,
            tmp_path / "cloudpickle",
            serialization_format="cloudpickle",
            pip_requirements=requirements,
        )
        mlflow.pyfunc.save_model(
            tmp_path / "python",
            python_model=_mlflow_scaled(),
            artifacts={"factor": str(tmp_path / "factor.txt")},
            signature=mlflow.models.infer_signature(FRAME, params={"off": 0}),
            pip_requirements=requirements,
        )
        theirs = {
            name: mlflow.pyfunc.load_model(str(tmp_path / name)).predict(FRAME, params=params)
            for name, params in (("skops", None), ("cloudpickle", None), ("python", {"off": 2}))
        }
    for name in ("skops", "cloudpickle"):
        ours = mltrail.pyfunc.load_model(str(tmp_path / name)).predict(FRAME)
        np.testing.assert_array_equal(ours, theirs[name])
        np.testing.assert_array_equal(
            mltrail.sklearn.load_model(str(tmp_path / name)).predict(FRAME), theirs[name]
        )
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "python"))
    pd.testing.assert_series_equal(loaded.predict(FRAME, params={"off": 2}), theirs["python"])
    assert loaded.metadata.mlflow_version is not None
    signature = loaded.metadata.signature
    assert signature is not None
    assert signature.params is not None


_MLFLOW_LOADER = """
import json, sys
import pandas as pd
import mlflow.pyfunc, mlflow.sklearn
frame = pd.DataFrame(json.loads(sys.argv[2]))
out = {}
for name in sys.argv[3:]:
    model = mlflow.pyfunc.load_model(f"{sys.argv[1]}/{name}")
    params = {"off": 2} if name == "python" else None
    out[name] = [float(v) for v in model.predict(frame, params=params)]
    if name != "python":
        out[name + ":raw"] = [float(v) for v in mlflow.sklearn.load_model(
            f"{sys.argv[1]}/{name}").predict(frame)]
print("RESULT" + json.dumps(out))
"""


def test_models_saved_by_mltrail_load_in_mlflow(tmp_path: Path, estimator: Any) -> None:
    (tmp_path / "factor.txt").write_text("3")
    for fmt in ("skops", "pickle", "cloudpickle"):
        mltrail.sklearn.save_model(
            estimator, tmp_path / fmt, serialization_format=fmt, input_example=FRAME
        )
    mltrail.pyfunc.save_model(
        tmp_path / "python",
        python_model=MltrailScaled(),
        artifacts={"factor": str(tmp_path / "factor.txt")},
        input_example=(FRAME, {"off": 0}),
    )
    ours: dict[str, list[float]] = {}
    for name in ("skops", "pickle", "cloudpickle", "python"):
        params = {"off": 2} if name == "python" else None
        predicted = mltrail.pyfunc.load_model(str(tmp_path / name)).predict(FRAME, params=params)
        ours[name] = [float(v) for v in predicted]
        if name != "python":
            ours[name + ":raw"] = ours[name]
    assert (
        run_script(
            _MLFLOW_LOADER,
            [str(tmp_path), FRAME.to_json(orient="columns"), *[n for n in ours if ":" not in n]],
            tmp_path,
        )
        == ours
    )
    assert ours["python"] == [5.0, 8.0, 11.0, 14.0]


@pytest.mark.parametrize(
    "build",
    [
        lambda: (FRAME.assign(c=["x", "y", "z", None]), np.array([0, 1, 0, 1]), {"k": 1}),
        lambda: (np.zeros((2, 3), dtype=np.float32), pd.Series([1.0, 2.0]), {"s": ["a"]}),
        lambda: ([{"a": 1, "b": {"c": [1.5]}}, {"a": 2}], ["x", "y"], None),
        lambda: ({"x": np.zeros((2, 2)), "y": np.arange(2)}, None, {"f": 0.5, "b": False}),
    ],
)
def test_inferred_signatures_equal_mlflows(build: Any) -> None:
    mlflow = _mlflow()
    model_input, model_output, params = build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow's integer-column hint
        theirs = mlflow.models.infer_signature(model_input, model_output, params).to_dict()
    ours = mltrail.models.infer_signature(model_input, model_output, params).to_dict()
    assert ours == theirs
