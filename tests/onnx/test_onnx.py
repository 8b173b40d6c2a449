"""The ONNX flavor: a converted scikit-learn model and hand-built graphs saved, logged, loaded,
run with onnxruntime, and crossed with the official `mlflow` package."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import mltrail
import mltrail.onnx
import mltrail.pyfunc
from mltrail.errors import MltrailError
from mltrail.models.flavor import Flavor, get_flavor

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the lazily imported framework loads

ROWS = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0], [5.0, 0.0]], dtype=np.float32)
SINGLE_THREAD = {"intra_op_num_threads": 1, "inter_op_num_threads": 1}


@pytest.fixture(scope="module")
def regression() -> tuple[Any, np.ndarray]:
    """A trained linear regression converted to ONNX, and its sklearn predictions."""
    from skl2onnx import to_onnx
    from sklearn.linear_model import LinearRegression

    fitted = LinearRegression().fit(ROWS, [1.0, 3.0, 3.5, 5.2, 5.9])
    return to_onnx(fitted, ROWS[:1], target_opset=17), fitted.predict(ROWS)


def _graph(inputs: list[str], op: str, weight: np.ndarray | None = None) -> Any:
    """A one-node float graph over `inputs` (plus an optional weight initializer)."""
    from onnx import TensorProto, helper, numpy_helper

    width = 2 if weight is None else weight.shape[0]
    values = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, width]) for n in inputs]
    initializers = [] if weight is None else [numpy_helper.from_array(weight, "W")]
    node_inputs = inputs + (["W"] if weight is not None else [])
    graph = helper.make_graph(
        [helper.make_node(op, node_inputs, ["out"])],
        "g",
        values,
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, None])],
        initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_save_and_load_round_trip(tmp_path: Path, regression: tuple[Any, np.ndarray]) -> None:
    proto, expected = regression
    target = tmp_path / "m"
    mltrail.onnx.save_model(
        proto, target, input_example=ROWS[:2], onnx_session_options=SINGLE_THREAD
    )
    fields = yaml.safe_load((target / "MLmodel").read_text())
    flavor = fields["flavors"]["onnx"]
    assert flavor["data"] == "model.onnx"
    assert flavor["providers"] == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert flavor["onnx_session_options"] == SINGLE_THREAD
    assert fields["flavors"]["python_function"]["loader_module"] == "mlflow.onnx"
    requirements = (target / "requirements.txt").read_text()
    assert "onnx==" in requirements
    assert "onnxruntime==" in requirements
    assert mltrail.onnx.load_model(str(target)) == proto
    loaded = mltrail.pyfunc.load_model(str(target))
    outputs = loaded.predict(ROWS)
    assert list(outputs) == ["variable"]
    np.testing.assert_allclose(outputs["variable"].ravel(), expected, rtol=1e-5)
    # The tensor signature turns a DataFrame into one array, so the output is a dict too.
    from_frame = loaded.predict(pd.DataFrame(ROWS))
    np.testing.assert_array_equal(from_frame["variable"], outputs["variable"])
    signature = loaded.metadata.signature
    assert signature is not None
    assert signature.inputs is not None
    assert signature.outputs is not None
    with pytest.raises(MltrailError, match="float32"):
        loaded.predict(ROWS.astype(np.int64))


def test_inputs_by_name_and_float64_cast(tmp_path: Path) -> None:
    mltrail.onnx.save_model(_graph(["x", "y"], "Add"), tmp_path / "m")
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    x, y = ROWS, ROWS * 10
    np.testing.assert_allclose(loaded.predict({"x": x, "y": y})["out"], x + y)
    frame = pd.DataFrame({"x": list(x.astype(np.float64)), "y": list(y.astype(np.float64))})
    np.testing.assert_allclose(np.stack(loaded.predict(frame)["out"]), x + y)
    with pytest.raises(MltrailError, match=r"takes 2 inputs \['x', 'y'\]"):
        loaded.predict(x)
    with pytest.raises(MltrailError, match=r"Missing ONNX model inputs \['y'\]"):
        loaded.predict({"x": x})


def test_large_weights_go_to_external_data(tmp_path: Path) -> None:
    weight = np.arange(64 * 64, dtype=np.float32).reshape(64, 64) / 1000
    mltrail.onnx.save_model(_graph(["x"], "MatMul", weight), tmp_path / "ext")
    mltrail.onnx.save_model(
        _graph(["x"], "MatMul", weight), tmp_path / "inline", save_as_external_data=False
    )
    assert len(os.listdir(tmp_path / "ext")) == len(os.listdir(tmp_path / "inline")) + 1
    data = np.ones((2, 64), dtype=np.float32)
    for name in ("ext", "inline"):
        predicted = mltrail.pyfunc.load_model(str(tmp_path / name)).predict(data)["out"]
        np.testing.assert_allclose(predicted, data @ weight, rtol=1e-5)


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MltrailError, match=r"Expected an onnx\.ModelProto"):
        mltrail.onnx.save_model({"not": "onnx"}, tmp_path / "a")
    with pytest.raises(MltrailError, match="has no attribute 'no_such_option'"):
        mltrail.onnx.save_model(
            _graph(["x", "y"], "Add"), tmp_path / "b", onnx_session_options={"no_such_option": 1}
        )
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


def test_log_model_and_load_by_uri(regression: tuple[Any, np.ndarray]) -> None:
    proto, expected = regression
    with mltrail.start_run() as run:
        info = mltrail.onnx.log_model(proto, name="onnx", input_example=ROWS[:2])
    assert set(info.flavors) == {"python_function", "onnx"}
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/onnx"):
        assert mltrail.onnx.load_model(uri) == proto
        predicted = mltrail.pyfunc.load_model(uri).predict(ROWS)["variable"]
        np.testing.assert_allclose(predicted.ravel(), expected, rtol=1e-5)


def test_registered_as_a_builtin_flavor() -> None:
    assert get_flavor("onnx") is mltrail.onnx
    assert isinstance(mltrail.onnx, Flavor)


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.onnx
        import mlflow.pyfunc
    return mlflow


@pytest.mark.compat
@pytest.mark.slow
def test_mltrail_models_load_in_mlflow(tmp_path: Path, regression: tuple[Any, np.ndarray]) -> None:
    mlflow = _mlflow()
    proto, _expected = regression
    mltrail.onnx.save_model(proto, tmp_path / "m", input_example=ROWS[:2])
    mltrail.onnx.save_model(proto, tmp_path / "plain")  # no signature: frames give frames
    ours = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    plain = mltrail.pyfunc.load_model(str(tmp_path / "plain"))
    frame = pd.DataFrame(ROWS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = mlflow.pyfunc.load_model(str(tmp_path / "m"))
        their_plain = mlflow.pyfunc.load_model(str(tmp_path / "plain"))
        for data in (ROWS, frame):
            np.testing.assert_array_equal(
                theirs.predict(data)["variable"], ours.predict(data)["variable"]
            )
        pd.testing.assert_frame_equal(their_plain.predict(frame), plain.predict(frame))
        assert mlflow.onnx.load_model(str(tmp_path / "m")) == proto


@pytest.mark.compat
@pytest.mark.slow
def test_mlflow_models_load_in_mltrail(tmp_path: Path, regression: tuple[Any, np.ndarray]) -> None:
    mlflow = _mlflow()
    proto, _expected = regression
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Explicit requirements skip MLflow's slow subprocess-based inference.
        mlflow.onnx.save_model(
            proto, tmp_path / "m", input_example=ROWS[:2], pip_requirements=["onnx"]
        )
        theirs = mlflow.pyfunc.load_model(str(tmp_path / "m")).predict(ROWS)["variable"]
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    assert loaded.metadata.saved_input_example_info is not None  # (MLflow infers no signature)
    np.testing.assert_array_equal(loaded.predict(ROWS)["variable"], theirs)
    assert mltrail.onnx.load_model(str(tmp_path / "m")) == proto
