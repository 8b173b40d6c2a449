"""LightGBM autologging: `mltrail.lightgbm.autolog()`.

Patches `lightgbm.train` wherever it is reachable (LGBMClassifier & co. call it too). Logs
train()'s params, per-iteration eval metrics (`<valid name>-<metric>` at step = iteration),
split and gain feature importance JSON, and the Booster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mltrail.autolog import _boosting, patching, records
from mltrail.autolog.integration import Integration, enable
from mltrail.autolog.patching import Hooks

FLAVOR = "lightgbm"
IMPORTANCE_TYPES = ("split", "gain")


class TrainHooks(Hooks):
    """lightgbm.train(params, train_set, ...)."""

    history: dict[str, Any]

    def before(self) -> None:
        import lightgbm

        self.history = {}
        callbacks = list(self.call.arguments().get("callbacks") or [])
        self.call.set_argument("callbacks", [*callbacks, lightgbm.record_evaluation(self.history)])

    def after(self, booster: Any) -> None:
        run_id, settings = self.call.run_id, self.call.config
        arguments = self.call.with_defaults()
        self.attempt("log params", records.log_params, run_id, _boosting.train_params(arguments))
        self.attempt("log eval metrics", _boosting.log_history, run_id, self.history)
        for kind in IMPORTANCE_TYPES:
            self.attempt(
                f"log feature_importance_{kind}.json", _log_importance, run_id, booster, kind
            )
        if settings.log_models:
            self.attempt("log the model", _log_model, settings, booster)


def _log_importance(run_id: str, booster: Any, kind: str) -> None:
    values = booster.feature_importance(importance_type=kind).tolist()
    scores = dict(zip(booster.feature_name(), values, strict=True))
    _boosting.log_importance(run_id, kind, scores, indent=2)


def _log_model(settings: Any, booster: Any) -> None:
    import mltrail.lightgbm

    mltrail.lightgbm.log_model(
        booster, name="model", registered_model_name=settings.registered_model_name
    )


def _install(flavor: str) -> None:
    import lightgbm
    import lightgbm.engine
    import lightgbm.sklearn

    for module in (lightgbm.engine, lightgbm, lightgbm.sklearn):
        if "train" in module.__dict__:
            patching.patch(flavor, module, "train", TrainHooks, starts_run=True)


INTEGRATION = Integration(
    flavor=FLAVOR,
    module="lightgbm",
    distribution="lightgbm",
    min_version="4.6.0",
    max_version="4.7.0",
    install=_install,
)


def autolog(
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    registered_model_name: str | None = None,
    extra_tags: Mapping[str, Any] | None = None,
) -> None:
    """Autolog LightGBM training (see docs/autolog.md for what is logged)."""
    enable(INTEGRATION, dict(locals()))


__all__ = ["FLAVOR", "INTEGRATION", "autolog"]
