"""PyTorch Lightning autologging: `mltrail.pytorch.autolog()`.

Patches `pytorch_lightning.Trainer.fit`. For the duration of the call a callback logs every
epoch's `trainer.callback_metrics` (what the module `self.log`s) at step = epoch; afterwards
the run gets `epochs`, the optimizer's name and settings, EarlyStopping's settings and
stopped epoch as params, `model_summary.txt`, and the LightningModule as `model`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mltrail.autolog import events, patching, records
from mltrail.autolog.integration import Integration, enable
from mltrail.autolog.patching import Hooks

FLAVOR = "pytorch"


def _metrics_callback(run_id: str, every_n_epoch: int) -> Any:
    import pytorch_lightning as pl

    class EpochMetrics(pl.Callback):
        def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
            epoch = int(trainer.current_epoch)
            if (epoch + 1) % every_n_epoch:
                return
            try:
                records.log_metrics(run_id, _numbers(trainer.callback_metrics), step=epoch)
            except Exception as error:  # the user's training goes on
                events.failed(FLAVOR, "log epoch metrics", error)

    return EpochMetrics()


def _numbers(metrics: Mapping[str, Any]) -> dict[str, float]:
    found = {}
    for key, value in metrics.items():
        try:
            found[key] = float(value.item() if hasattr(value, "item") else value)
        except (TypeError, ValueError, RuntimeError):
            continue  # non-scalar tensors are not metrics
    return found


class FitHooks(Hooks):
    """Trainer.fit(model, ...)."""

    callback: Any = None

    def before(self) -> None:
        every = self.call.config.option("log_every_n_epoch")
        self.callback = _metrics_callback(self.call.run_id, every)
        self.call.instance.callbacks.append(self.callback)

    def after(self, result: Any) -> None:
        self._detach()
        trainer, run_id, settings = self.call.instance, self.call.run_id, self.call.config
        module = trainer.lightning_module
        self.attempt("log params", records.log_params, run_id, _params(trainer))
        self.attempt("set tags", records.set_tags, run_id, {"Mode": "training"})
        self.attempt("log model_summary.txt", _log_summary, run_id, module)
        if settings.log_models:
            self.attempt("log the model", _log_model, settings, module)

    def failed(self, error: BaseException) -> None:
        self._detach()

    def _detach(self) -> None:
        callbacks = self.call.instance.callbacks
        if self.callback in callbacks:
            callbacks.remove(self.callback)


def _params(trainer: Any) -> dict[str, Any]:
    from pytorch_lightning.callbacks import EarlyStopping

    params: dict[str, Any] = {"epochs": trainer.max_epochs}
    if trainer.optimizers:
        optimizer = trainer.optimizers[0]
        params["optimizer_name"] = type(optimizer).__name__
        params.update(optimizer.defaults)
    for callback in trainer.callbacks:
        if isinstance(callback, EarlyStopping):
            params.update(
                monitor=callback.monitor,
                mode=callback.mode,
                patience=callback.patience,
                min_delta=callback.min_delta,
                stopped_epoch=callback.stopped_epoch,
            )
    return params


def _log_summary(run_id: str, module: Any) -> None:
    from pytorch_lightning.utilities.model_summary.model_summary import ModelSummary

    records.client().log_text(run_id, str(ModelSummary(module, max_depth=-1)), "model_summary.txt")


def _log_model(settings: Any, module: Any) -> None:
    import mltrail.pytorch

    mltrail.pytorch.log_model(
        module, name="model", registered_model_name=settings.registered_model_name
    )


def _install(flavor: str) -> None:
    import pytorch_lightning as pl

    patching.patch(flavor, pl.Trainer, "fit", FitHooks, starts_run=True)


INTEGRATION = Integration(
    flavor=FLAVOR,
    module="pytorch_lightning",
    distribution="pytorch-lightning",
    min_version="2.4.0",
    max_version="2.6.6",
    install=_install,
    options={"log_every_n_epoch": 1},
)


def autolog(
    log_every_n_epoch: int = 1,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    registered_model_name: str | None = None,
    extra_tags: Mapping[str, Any] | None = None,
) -> None:
    """Autolog PyTorch Lightning training (see docs/autolog.md for what is logged)."""
    enable(INTEGRATION, dict(locals()))


__all__ = ["FLAVOR", "INTEGRATION", "autolog"]
