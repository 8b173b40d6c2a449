"""PyTorch Lightning autologging with a real tiny training, read back through the client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mltrail

# Lightning's own notices about torch's pytree API and loader workers, not autologging's.
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*LeafSpec.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:.*does not have many workers.*"),
]


@pytest.fixture
def lightning_autolog(tracking: mltrail.MlflowClient) -> Iterator[mltrail.MlflowClient]:
    import torch

    from mltrail.autolog import pytorch as pytorch_autolog

    torch.set_num_threads(1)
    pytorch_autolog.autolog()
    yield tracking
    pytorch_autolog.autolog(disable=True)


def tiny_training(epochs: int, fail_at_epoch: int | None = None) -> tuple[Any, Any, Any]:
    import pytorch_lightning as pl
    import torch

    class Regressor(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(3, 1)

        def forward(self, x: Any) -> Any:
            return self.layer(x)

        def training_step(self, batch: Any, index: int) -> Any:
            x, y = batch
            if fail_at_epoch is not None and self.current_epoch == fail_at_epoch:
                raise KeyError("user failure")
            loss = torch.nn.functional.mse_loss(self(x), y)
            self.log("train_loss", loss, on_epoch=True, on_step=False)
            return loss

        def validation_step(self, batch: Any, index: int) -> None:
            x, y = batch
            self.log("val_loss", torch.nn.functional.mse_loss(self(x), y))

        def configure_optimizers(self) -> Any:
            return torch.optim.SGD(self.parameters(), lr=0.1)

    generator = torch.Generator().manual_seed(0)
    x = torch.rand(32, 3, generator=generator)
    data = torch.utils.data.TensorDataset(x, x.sum(1, keepdim=True))
    loader = torch.utils.data.DataLoader(data, batch_size=8)
    stopper = pl.callbacks.EarlyStopping(monitor="val_loss", patience=1)
    trainer = pl.Trainer(
        max_epochs=epochs,
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=False,
        enable_checkpointing=False,
        callbacks=[stopper],
    )
    model = Regressor()
    return trainer, model, loader


@pytest.mark.slow
def test_lightning_fit(lightning_autolog: mltrail.MlflowClient) -> None:
    import torch

    client = lightning_autolog
    trainer, model, loader = tiny_training(epochs=3)
    callbacks_before = list(trainer.callbacks)
    trainer.fit(model, loader, loader)
    assert trainer.callbacks == callbacks_before  # the logging callback is gone again
    [run] = client.search_runs(["0"])
    run_id = run.info.run_id
    assert run.data.tags["mlflow.autologging"] == "pytorch"
    # MLflow's names for the same training.
    assert run.data.params == {
        "epochs": "3",
        "optimizer_name": "SGD",
        "lr": "0.1",
        "momentum": "0",
        "dampening": "0",
        "weight_decay": "0",
        "nesterov": "False",
        "maximize": "False",
        "foreach": "None",
        "differentiable": "False",
        "fused": "None",
        "monitor": "val_loss",
        "mode": "min",
        "patience": "1",
        "min_delta": "-0.0",
        "stopped_epoch": "0",
    }
    for key in ("train_loss", "val_loss"):
        steps = [(m.step, m.value) for m in client.get_metric_history(run_id, key)]
        assert [s for s, _ in steps] == [0, 1, 2]
        assert steps[-1][1] == pytest.approx(float(trainer.callback_metrics[key]))
    summary = Path(client.download_artifacts(run_id, "model_summary.txt")).read_text()
    assert "Linear" in summary
    [output] = run.outputs.model_outputs
    loaded = mltrail.pytorch.load_model(f"models:/{output.model_id}")
    sample = torch.rand(4, 3)
    assert torch.allclose(loaded(sample), model(sample))


@pytest.mark.slow
def test_lightning_user_exception_passes_through(
    lightning_autolog: mltrail.MlflowClient,
) -> None:
    trainer, model, loader = tiny_training(epochs=3, fail_at_epoch=1)
    with pytest.raises(KeyError, match="user failure"):
        trainer.fit(model, loader, loader)
    [run] = lightning_autolog.search_runs(["0"])
    assert run.info.status == "FAILED"
    history = lightning_autolog.get_metric_history(run.info.run_id, "train_loss")
    assert [m.step for m in history] == [0]  # epoch 0 was logged before the failure
