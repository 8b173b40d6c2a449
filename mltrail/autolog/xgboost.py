"""XGBoost autologging: `mltrail.xgboost.autolog()`.

Patches `xgboost.train` wherever it is reachable (the scikit-learn API's `fit` calls it too,
so XGBClassifier & co. are covered, as in MLflow). Logs train()'s params, per-iteration eval
metrics (`<eval name>-<metric>` at step = iteration), early-stopping results, feature
importance JSON per importance type, and the Booster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mltrail.autolog import _boosting, patching, records
from mltrail.autolog.integration import Integration, enable
from mltrail.autolog.patching import Hooks

FLAVOR = "xgboost"


class TrainHooks(Hooks):
    """xgboost.train(params, dtrain, ...)."""

    history: dict[str, Any]

    def before(self) -> None:
        given = self.call.arguments().get("evals_result")
        self.history = {} if given is None else given
        if given is None:
            self.call.set_argument("evals_result", self.history)  # xgboost fills it per round

    def after(self, booster: Any) -> None:
        run_id, settings = self.call.run_id, self.call.config
        arguments = self.call.with_defaults()
        params = _boosting.train_params(arguments)
        self.attempt("log params", records.log_params, run_id, params)
        best = None
        if arguments.get("early_stopping_rounds"):
            best = int(booster.best_iteration)
            stopped = max((len(v) for m in self.history.values() for v in m.values()), default=0)
            stopping = {"stopped_iteration": stopped - 1, "best_iteration": best}
            self.attempt("log early stopping", records.log_metrics, run_id, stopping)
        self.attempt("log eval metrics", _boosting.log_history, run_id, self.history, best)
        for kind in settings.option("importance_types"):
            self.attempt(
                f"log feature_importance_{kind}.json",
                _log_importance,
                run_id,
                booster,
                kind,
            )
        if settings.log_models:
            self.attempt("log the model", _log_model, settings, booster)


def _log_importance(run_id: str, booster: Any, kind: str) -> None:
    _boosting.log_importance(run_id, kind, booster.get_score(importance_type=kind))


def _log_model(settings: Any, booster: Any) -> None:
    import mltrail.xgboost

    mltrail.xgboost.log_model(
        booster,
        name="model",
        model_format=settings.option("model_format"),
        registered_model_name=settings.registered_model_name,
    )


def _install(flavor: str) -> None:
    import xgboost
    import xgboost.sklearn
    import xgboost.training

    # `train` is re-exported: patch each module's name for it (users and the sklearn API).
    for module in (xgboost.training, xgboost, xgboost.sklearn):
        if "train" in module.__dict__:
            patching.patch(flavor, module, "train", TrainHooks, starts_run=True)


INTEGRATION = Integration(
    flavor=FLAVOR,
    module="xgboost",
    distribution="xgboost",
    min_version="2.1.2",
    max_version="3.4.1",
    install=_install,
    options={"importance_types": ("weight",), "model_format": "ubj"},
)


def autolog(
    importance_types: list[str] | None = None,
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    registered_model_name: str | None = None,
    model_format: str = "ubj",
    extra_tags: Mapping[str, Any] | None = None,
) -> None:
    """Autolog XGBoost training (see docs/autolog.md for what is logged)."""
    given = dict(locals())
    given["importance_types"] = tuple(importance_types or ("weight",))
    enable(INTEGRATION, given)


__all__ = ["FLAVOR", "INTEGRATION", "autolog"]
