"""Keras 3 autologging with a real tiny training (on the default backend)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import mltrail

# Keras' own variables trip numpy 2's __array__(copy=) deprecation; not autologging's doing.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture
def keras_autolog(tracking: mltrail.MlflowClient) -> Iterator[mltrail.MlflowClient]:
    import torch

    from mltrail.autolog import keras as keras_autolog

    torch.set_num_threads(1)
    keras_autolog.autolog()
    yield tracking
    keras_autolog.autolog(disable=True)


@pytest.mark.slow
def test_keras_fit(keras_autolog: mltrail.MlflowClient) -> None:
    import keras

    client = keras_autolog
    rng = np.random.RandomState(0)
    X = rng.rand(32, 3).astype("float32")
    y = X.sum(1)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
    user_epochs: list[int] = []
    history = model.fit(
        X,
        y,
        epochs=3,
        batch_size=8,
        validation_split=0.25,
        verbose=0,
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=lambda e, _: user_epochs.append(e))],
    )
    assert user_epochs == [0, 1, 2]
    [run] = client.search_runs(["0"])
    run_id = run.info.run_id
    assert run.data.tags["mlflow.autologging"] == "keras"
    # The names and values MLflow logs for this call.
    assert run.data.params == {
        "batch_size": "8",
        "class_weight": "None",
        "epochs": "3",
        "initial_epoch": "0",
        "optimizer_clipnorm": "None",
        "optimizer_clipvalue": "None",
        "optimizer_ema_momentum": "0.99",
        "optimizer_ema_overwrite_frequency": "None",
        "optimizer_global_clipnorm": "None",
        "optimizer_gradient_accumulation_steps": "None",
        "optimizer_learning_rate": "0.05000000074505806",
        "optimizer_loss_scale_factor": "None",
        "optimizer_momentum": "0.0",
        "optimizer_name": "sgd",
        "optimizer_nesterov": "False",
        "optimizer_use_ema": "False",
        "optimizer_weight_decay": "None",
        "sample_weight": "None",
        "shuffle": "True",
        "steps_per_epoch": "None",
        "validation_batch_size": "None",
        "validation_freq": "1",
        "validation_split": "0.25",
        "validation_steps": "None",
    }
    for key in ("loss", "mae", "val_loss", "val_mae"):
        logged = [(m.step, m.value) for m in client.get_metric_history(run_id, key)]
        assert logged == [(e, pytest.approx(v)) for e, v in enumerate(history.history[key])]
    summary = Path(client.download_artifacts(run_id, "model_summary.txt")).read_text()
    assert "Dense" in summary
    [output] = run.outputs.model_outputs
    loaded = mltrail.keras.load_model(f"models:/{output.model_id}")
    assert np.allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


SCRIPT = """
import numpy as np, keras, torch
import mltrail
torch.set_num_threads(1)
mltrail.set_tracking_uri({uri!r})
mltrail.keras.autolog()
X = np.random.RandomState(0).rand(16, 3).astype("float32")
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(X, X.sum(1), epochs=2, batch_size=8, verbose=0)
print(keras.backend.backend())
"""


@pytest.mark.slow
def test_keras_on_the_torch_backend(tmp_path: Path) -> None:
    """Keras 3 picks its backend once per process: this one runs on torch."""
    uri = f"sqlite:///{tmp_path / 'torch.db'}"
    env = {**os.environ, "KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(uri=uri)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "torch"
    client = mltrail.MlflowClient(uri)
    [run] = client.search_runs(["0"])
    assert run.data.tags["mlflow.autologging"] == "keras"
    assert run.data.params["epochs"] == "2"
    assert [m.step for m in client.get_metric_history(run.info.run_id, "loss")] == [0, 1]
