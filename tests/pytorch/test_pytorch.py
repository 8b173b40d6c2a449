"""The PyTorch flavor: `pt2` (torch.export) and `pickle` formats saved, logged, loaded, and
crossed with the official `mlflow` package both ways; state dicts."""

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
import mltrail.pyfunc
import mltrail.pytorch
from mltrail.errors import MltrailError
from mltrail.models.flavor import Flavor, get_flavor

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the lazily imported framework loads

X = np.random.default_rng(0).random((6, 3), dtype=np.float32)


@pytest.fixture(scope="module")
def net() -> Any:
    """A two-layer network, trained a few steps so its weights are not the initial ones."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs, targets = torch.from_numpy(X), torch.ones(len(X), 2)
    for _ in range(5):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()
    return model.eval()


def _native(model: Any, data: np.ndarray = X) -> np.ndarray:
    import torch

    with torch.no_grad():
        result: np.ndarray = model(torch.from_numpy(data)).numpy()
    return result


@pytest.fixture(scope="module")
def saved(net: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One model per format (exporting is the slow part), shared by the tests below."""
    root = tmp_path_factory.mktemp("torch")
    mltrail.pytorch.save_model(net, root / "pt2", input_example=X[:2])
    mltrail.pytorch.save_model(net, root / "pickle")
    return {"pt2": root / "pt2", "pickle": root / "pickle"}


def _mlmodel(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((path / "MLmodel").read_text())
    return loaded


def test_pt2_is_the_default_with_an_example(saved: dict[str, Path], net: Any) -> None:
    path = saved["pt2"]
    assert sorted(p.name for p in (path / "data").iterdir()) == ["model.pt2"]
    fields = _mlmodel(path)
    assert fields["flavors"]["pytorch"]["model_data"] == "data"
    assert fields["flavors"]["pytorch"]["pytorch_version"].startswith("2.")
    pyfunc_conf = fields["flavors"]["python_function"]
    assert pyfunc_conf["loader_module"] == "mlflow.pytorch"
    assert pyfunc_conf["data"] == "data"
    assert pyfunc_conf["config"] == {"device": None}
    assert fields["signature"]["inputs"] == (
        '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]'
    )
    requirements = (path / "requirements.txt").read_text().split()
    assert any(r.startswith("torch==") and "+" not in r for r in requirements), requirements
    # The example had 2 rows: the exported batch dimension is dynamic.
    loaded = mltrail.pyfunc.load_model(str(path))
    np.testing.assert_allclose(loaded.predict(X), _native(net), rtol=1e-6)
    exported = mltrail.pytorch.load_model(str(path))
    np.testing.assert_allclose(_native(exported), _native(net), rtol=1e-6)


def test_pt2_signature_is_enforced(saved: dict[str, Path]) -> None:
    loaded = mltrail.pyfunc.load_model(str(saved["pt2"]))
    with pytest.raises(MltrailError, match="dtype of input float64 does not match"):
        loaded.predict(X.astype(np.float64))
    with pytest.raises(MltrailError, match="Shape of input"):
        loaded.predict(X[:, :2])
    # A DataFrame of float32 columns fits the tensor signature.
    np.testing.assert_allclose(loaded.predict(pd.DataFrame(X)), loaded.predict(X))


def test_scoring_server_answers_tensor_requests(saved: dict[str, Path], net: Any) -> None:
    import asyncio

    import httpx

    from mltrail.serving import create_scoring_app

    app = create_scoring_app(str(saved["pt2"]))
    example = (saved["pt2"] / "serving_input_example.json").read_bytes()

    async def score() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            headers = {"Content-Type": "application/json"}
            return [
                await client.post("/invocations", content=example, headers=headers),
                await client.post("/invocations", json={"instances": X.tolist()}),
                await client.post("/invocations", json={"inputs": [[1.0, 2.0]]}),
            ]

    from_example, instances, bad = asyncio.run(score())
    assert from_example.status_code == 200, from_example.text
    np.testing.assert_allclose(from_example.json()["predictions"], _native(net)[:2], rtol=1e-6)
    assert instances.status_code == 200, instances.text
    np.testing.assert_allclose(instances.json()["predictions"], _native(net), rtol=1e-6)
    assert bad.status_code == 400
    assert "Shape of input" in bad.json()["message"]


def test_pickle_format_round_trip(saved: dict[str, Path], net: Any) -> None:
    import torch

    data = saved["pickle"] / "data"
    assert sorted(p.name for p in data.iterdir()) == ["model.pth", "pickle_module_info.txt"]
    assert (data / "pickle_module_info.txt").read_text() == "mlflow.pytorch.pickle_module"
    assert "signature" not in _mlmodel(saved["pickle"])
    native = mltrail.pytorch.load_model(str(saved["pickle"]))
    assert isinstance(native, torch.nn.Sequential)
    np.testing.assert_array_equal(_native(native), _native(net))

    loaded = mltrail.pyfunc.load_model(str(saved["pickle"]))
    np.testing.assert_array_equal(loaded.predict(X), _native(net))
    np.testing.assert_array_equal(loaded.predict(torch.from_numpy(X)), _native(net))
    # Without a signature a DataFrame goes in as float32 values and comes back as a DataFrame.
    frame = pd.DataFrame(X.astype(np.float64), columns=["a", "b", "c"], index=list("uvwxyz"))
    predicted = loaded.predict(frame)
    assert isinstance(predicted, pd.DataFrame)
    assert list(predicted.index) == list("uvwxyz")
    np.testing.assert_allclose(predicted.to_numpy(), _native(net), rtol=1e-6)


def test_frame_example_gives_pickle_and_a_column_signature(tmp_path: Path, net: Any) -> None:
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    mltrail.pytorch.save_model(net, tmp_path / "m", input_example=frame.head(2))
    assert (tmp_path / "m" / "data" / "model.pth").is_file()
    inputs = _mlmodel(tmp_path / "m")["signature"]["inputs"]
    assert inputs.startswith('[{"type": "float", "name": "a", "required": true}')
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(frame).to_numpy(), _native(net), rtol=1e-6)
    with pytest.raises(MltrailError, match="missing inputs"):
        loaded.predict(frame[["a", "b"]])


def _two_input_module() -> Any:
    """A module taking keyword tensors and returning a dict (torch is imported lazily)."""
    import torch

    class Combined(torch.nn.Module):
        def forward(self, a: Any, b: Any) -> Any:
            return {"sum": a + b, "product": a * b}

    return Combined()


def test_custom_module_with_named_inputs_code_and_extra_files(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 41\n")
    (tmp_path / "notes.txt").write_text("notes")
    mltrail.pytorch.save_model(
        _two_input_module(),
        tmp_path / "m",
        code_paths=[str(tmp_path / "helper.py")],
        extra_files=[str(tmp_path / "notes.txt")],
    )
    fields = _mlmodel(tmp_path / "m")
    assert fields["flavors"]["pytorch"]["extra_files"] == [{"path": "extra_files/notes.txt"}]
    assert fields["flavors"]["python_function"]["code"] == "code"
    assert (tmp_path / "m" / "code" / "helper.py").is_file()
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    out = loaded.predict({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])})
    assert set(out) == {"sum", "product"}
    np.testing.assert_array_equal(out["sum"], [4.0, 6.0])
    np.testing.assert_array_equal(out["product"], [3.0, 8.0])


def test_registered_as_a_flavor() -> None:
    found = get_flavor("pytorch")
    assert isinstance(found, Flavor)
    assert found is mltrail.pytorch
    assert found.FLAVOR_NAME == "pytorch"


def test_bad_arguments_are_refused(tmp_path: Path, net: Any) -> None:
    with pytest.raises(MltrailError, match="input_example is required"):
        mltrail.pytorch.save_model(net, tmp_path / "a", serialization_format="pt2")
    with pytest.raises(MltrailError, match="input_example is required"):
        mltrail.pytorch.save_model(
            net, tmp_path / "b", input_example=pd.DataFrame(X), serialization_format="pt2"
        )
    with pytest.raises(MltrailError, match="Unrecognized serialization format: onnx"):
        mltrail.pytorch.save_model(net, tmp_path / "c", serialization_format="onnx")
    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        mltrail.pytorch.save_model(object(), tmp_path / "d")
    assert not any((tmp_path / name).exists() for name in "abcd")


def test_log_model_and_load_by_uri(net: Any) -> None:
    with mltrail.start_run() as run:
        info = mltrail.pytorch.log_model(
            net,
            name="net",
            input_example=X[:2],
            serialization_format="pickle",
            registered_model_name="torch-net",
        )
    assert set(info.flavors) == {"python_function", "pytorch"}
    assert info.registered_model_version == 1
    expected = _native(net)
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/net", "models:/torch-net/1"):
        np.testing.assert_array_equal(_native(mltrail.pytorch.load_model(uri)), expected)
        np.testing.assert_array_equal(mltrail.pyfunc.load_model(uri).predict(X), expected)


def test_state_dict_saved_logged_and_loaded(tmp_path: Path, net: Any) -> None:
    import torch

    mltrail.pytorch.save_state_dict(net.state_dict(), str(tmp_path / "sd"))
    assert (tmp_path / "sd" / "state_dict.pth").is_file()
    with mltrail.start_run() as run:
        mltrail.pytorch.log_state_dict(net.state_dict(), "weights")
    for uri in (str(tmp_path / "sd"), f"runs:/{run.info.run_id}/weights"):
        fresh = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
        fresh.load_state_dict(mltrail.pytorch.load_state_dict(uri))
        np.testing.assert_array_equal(_native(fresh.eval()), _native(net))
    with pytest.raises(TypeError, match="state_dict"):
        mltrail.pytorch.save_state_dict(net, str(tmp_path / "bad"))  # a module, not its dict


@pytest.mark.slow
def test_lightning_module_round_trip(tmp_path: Path) -> None:
    import pytorch_lightning as pl
    import torch

    class Regressor(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(3, 1)

        def forward(self, x: Any) -> Any:
            return self.layer(x)

    module = Regressor()
    mltrail.pytorch.save_model(module, tmp_path / "m", serialization_format="pickle")
    requirements = (tmp_path / "m" / "requirements.txt").read_text()
    assert "pytorch-lightning==" in requirements
    loaded = mltrail.pytorch.load_model(str(tmp_path / "m"))
    assert isinstance(loaded, pl.LightningModule)
    np.testing.assert_array_equal(_native(loaded), _native(module.eval()))


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.pyfunc
        import mlflow.pytorch
    return mlflow


@pytest.mark.compat
@pytest.mark.slow
def test_mltrail_models_load_in_mlflow(saved: dict[str, Path], net: Any) -> None:
    mlflow = _mlflow()
    for name in ("pt2", "pickle"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = mlflow.pyfunc.load_model(str(saved[name])).predict(X)
            native = mlflow.pytorch.load_model(str(saved[name]))
        np.testing.assert_allclose(theirs, _native(net), rtol=1e-6)
        np.testing.assert_allclose(_native(native), _native(net), rtol=1e-6)


@pytest.mark.compat
@pytest.mark.slow
def test_mlflow_models_load_in_mltrail(tmp_path: Path, net: Any) -> None:
    mlflow = _mlflow()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Explicit requirements skip MLflow's slow subprocess-based inference.
        mlflow.pytorch.save_model(
            net, tmp_path / "pt2", input_example=X, pip_requirements=["torch"]
        )
        mlflow.pytorch.save_model(
            net, tmp_path / "pickle", serialization_format="pickle", pip_requirements=["torch"]
        )
    for name in ("pt2", "pickle"):
        loaded = mltrail.pyfunc.load_model(str(tmp_path / name))
        np.testing.assert_allclose(loaded.predict(X), _native(net), rtol=1e-6)
        np.testing.assert_allclose(
            _native(mltrail.pytorch.load_model(str(tmp_path / name))), _native(net), rtol=1e-6
        )
    assert mltrail.pyfunc.load_model(str(tmp_path / "pt2")).metadata.signature is not None
