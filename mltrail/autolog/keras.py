"""Keras 3 autologging: `mltrail.keras.autolog()` (any backend: torch, tensorflow, jax).

Patches `keras.Model.fit`. A callback added for the call logs each epoch's logs (`loss`,
`val_loss`, compiled metrics) at step = epoch; afterwards the run gets fit()'s settings and
the optimizer's config as params (MLflow's `optimizer_<key>` names), `model_summary.txt`, and
the model.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from mltrail.autolog import events, patching, records
from mltrail.autolog.integration import Integration, enable
from mltrail.autolog.patching import Hooks

FLAVOR = "keras"
# fit() arguments that are data, callbacks or console output, not settings.
_NOT_PARAMS = frozenset({"self", "x", "y", "validation_data", "callbacks", "verbose"})


def _keras() -> Any:
    # Imported by name: keras ships no type information.
    return importlib.import_module("keras")


def _epoch_callback(run_id: str, every_n_epoch: int) -> Any:
    class EpochMetrics(_keras().callbacks.Callback):  # type: ignore[misc]
        def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
            if (epoch + 1) % every_n_epoch:
                return
            try:
                numbers = {k: float(v) for k, v in (logs or {}).items()}
                records.log_metrics(run_id, numbers, step=epoch)
            except Exception as error:  # the user's training goes on
                events.failed(FLAVOR, "log epoch metrics", error)

    return EpochMetrics()


class FitHooks(Hooks):
    """model.fit(x, y, ...)."""

    def before(self) -> None:
        every = self.call.config.option("log_every_epoch")
        callbacks = list(self.call.arguments().get("callbacks") or [])
        callback = _epoch_callback(self.call.run_id, every)
        self.call.set_argument("callbacks", [*callbacks, callback])

    def after(self, history: Any) -> None:
        model, run_id, settings = self.call.instance, self.call.run_id, self.call.config
        self.attempt("log params", lambda: records.log_params(run_id, _params(self.call, model)))
        self.attempt("log model_summary.txt", _log_summary, run_id, model)
        if settings.log_models:
            self.attempt("log the model", _log_model, settings, model)


def _params(call: patching.Call, model: Any) -> dict[str, Any]:
    params = {k: v for k, v in call.with_defaults().items() if k not in _NOT_PARAMS}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        config = dict(optimizer.get_config())
        params["optimizer_name"] = config.pop("name", type(optimizer).__name__)
        params.update({f"optimizer_{k}": v for k, v in config.items()})
    return params


def _log_summary(run_id: str, model: Any) -> None:
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    records.client().log_text(run_id, "\n".join(lines), "model_summary.txt")


def _log_model(settings: Any, model: Any) -> None:
    import mltrail.keras

    mltrail.keras.log_model(
        model, name="model", registered_model_name=settings.registered_model_name
    )


def _install(flavor: str) -> None:
    owner = next(c for c in _keras().Model.__mro__ if "fit" in c.__dict__)
    patching.patch(flavor, owner, "fit", FitHooks, starts_run=True)


INTEGRATION = Integration(
    flavor=FLAVOR,
    module="keras",
    distribution="keras",
    min_version="3.7.0",
    max_version="3.15.1",
    install=_install,
    options={"log_every_epoch": 1},
)


def autolog(
    log_every_epoch: int = 1,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    registered_model_name: str | None = None,
    extra_tags: Mapping[str, Any] | None = None,
) -> None:
    """Autolog Keras training (see docs/autolog.md for what is logged)."""
    enable(INTEGRATION, dict(locals()))


__all__ = ["FLAVOR", "INTEGRATION", "autolog"]
