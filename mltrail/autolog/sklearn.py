"""scikit-learn autologging: `mltrail.sklearn.autolog()`.

Patches fit / fit_transform / fit_predict of every scikit-learn estimator class (those imported
now, and the rest as their modules are imported), and, for post-training metrics, predict-like
methods, `score` and the `sklearn.metrics` functions.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from mltrail.autolog import (
    _sklearn_plots,
    _sklearn_post,
    _sklearn_search,
    _sklearn_training,
    import_hooks,
    patching,
    records,
)
from mltrail.autolog.integration import Integration, enable
from mltrail.autolog.patching import Call, Hooks

FLAVOR = "sklearn"
FIT_METHODS = ("fit", "fit_transform", "fit_predict")
PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")
METRIC_SUFFIXES = ("_score", "_error", "_loss", "_deviance")
_HOOK_KEY = "mltrail.autolog.sklearn"


class FitHooks(Hooks):
    """Log a fitted estimator: params, tags, dataset, training metrics, model, search runs."""

    def after(self, result: Any) -> None:
        call, settings = self.call, self.call.config
        estimator = call.instance
        run_id = call.run_id
        features, targets, weight = _fit_data(call)
        params = _sklearn_training.params_of(estimator)
        metrics: dict[str, float] = {}
        search = _sklearn_training.is_search(estimator)
        if search:
            best_params, metrics = _sklearn_search.best_results(estimator)
            params.update(best_params)
        self.attempt("log params", records.log_params, run_id, params)
        self.attempt("set tags", records.set_tags, run_id, _sklearn_training.tags_of(estimator))
        dataset = None
        if settings.log_datasets and features is not None:
            dataset = self.attempt("describe the dataset", records.dataset_of, features, targets)
            if dataset is not None:
                self.attempt("log the dataset", records.log_dataset, run_id, dataset, "train")
        if features is not None:
            metrics.update(
                _sklearn_training.training_metrics(
                    FLAVOR, estimator, features, targets, weight, settings.option("pos_label")
                )
            )
        self.attempt("log metrics", records.log_metrics, run_id, metrics)
        self.attempt("log estimator.html", _log_html, run_id, estimator)
        if features is not None:
            _sklearn_plots.log_training_plots(self, run_id, estimator, features, targets)
        if search:
            self._log_search(estimator, dataset)
        if settings.log_models:
            self.attempt("log the model", _log_model, call, estimator, features, "model", params)
            if search and hasattr(estimator, "best_estimator_"):
                best = estimator.best_estimator_
                best_params = _sklearn_training.params_of(best)
                self.attempt(
                    "log the best estimator",
                    _log_model,
                    call,
                    best,
                    features,
                    "best_estimator",
                    best_params,
                )
        if settings.option("log_post_training_metrics"):
            _sklearn_post.remember_model(estimator, run_id)

    def _log_search(self, search: Any, dataset: Any) -> None:
        run = self.call.run
        assert run is not None
        self.attempt(
            "log cv_results.csv",
            lambda: records.client().log_text(
                run.run_id, _sklearn_search.cv_results_csv(search), "cv_results.csv"
            ),
        )
        self.attempt(
            "log the search's child runs",
            _sklearn_search.log_child_runs,
            search,
            run.run_id,
            run.experiment_id,
            self.call.config.option("max_tuning_runs"),
            dataset,
        )


def _fit_data(call: Call) -> tuple[Any, Any, Any]:
    """(X, y, sample_weight) of a fit call, whatever their parameter names."""
    arguments = call.arguments()
    values = list(arguments.values())[1:]  # after self
    features = values[0] if values else None
    targets = arguments.get("y", values[1] if len(values) > 1 else None)
    weight = arguments.get("sample_weight")
    extra = arguments.get("fit_params") or arguments.get("params") or arguments.get("kwargs")
    if weight is None and isinstance(extra, Mapping):
        weight = extra.get("sample_weight")
    return features, targets, weight


def _log_html(run_id: str, estimator: Any) -> None:
    records.client().log_text(run_id, _sklearn_training.estimator_html(estimator), "estimator.html")


def _log_model(
    call: Call, estimator: Any, features: Any, name: str, params: Mapping[str, Any]
) -> None:
    if not hasattr(estimator, "predict"):
        return  # transformers and the like have nothing to serve
    import mltrail.sklearn
    from mltrail.models.signature import infer_signature

    settings = call.config
    example = records.first_rows(features) if features is not None else None
    signature = None
    if settings.log_model_signatures and example is not None:
        signature = infer_signature(example, estimator.predict(example))
    mltrail.sklearn.log_model(
        estimator,
        name=name,
        signature=signature,
        input_example=example if settings.log_input_examples else None,
        serialization_format=settings.option("serialization_format"),
        registered_model_name=settings.registered_model_name if name == "model" else None,
        params={k: str(v)[: records.MAX_PARAM_LENGTH] for k, v in params.items()},
    )


def _estimator_classes() -> list[type]:
    """Every scikit-learn estimator class imported so far."""
    from sklearn.base import BaseEstimator

    seen: list[type] = []
    pending = [BaseEstimator]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                pending.append(sub)
    return [c for c in seen if c.__module__.startswith("sklearn.")]


def _patch_classes(flavor: str) -> None:
    """Patch the defining class of each method, once (subclasses inherit the patch)."""
    for cls in _estimator_classes():
        for name in FIT_METHODS:
            _patch_defining(flavor, cls, name, FitHooks, starts_run=True)
        for name in PREDICT_METHODS:
            _patch_defining(flavor, cls, name, _post_training(_sklearn_post.PredictHooks))
        _patch_defining(flavor, cls, "score", _post_training(_sklearn_post.ScoreHooks))


def _post_training(hooks: type[Hooks]) -> patching.HooksFactory:
    """Post-training hooks, only while log_post_training_metrics is on."""

    def factory(call: Call) -> Hooks | None:
        return hooks(call) if call.config.option("log_post_training_metrics") else None

    return factory


def _patch_defining(
    flavor: str, cls: type, name: str, hooks: patching.HooksFactory, **kw: Any
) -> None:
    owner = next((c for c in cls.__mro__ if name in c.__dict__), None)
    if owner is None or not owner.__module__.startswith("sklearn."):
        return
    raw = owner.__dict__[name]
    if inspect.isfunction(raw):
        patching.patch(flavor, owner, name, hooks, **kw)
    elif inspect.isfunction(getattr(raw, "fn", None)):
        # sklearn's `available_if` descriptor (Pipeline.predict, SVC.predict_proba, ...)
        # calls its `fn` with the instance first: patch that function in place.
        patching.patch(flavor, raw, "fn", hooks, **kw)


def _patch_metrics(flavor: str) -> None:
    import sklearn.metrics

    for name in sklearn.metrics.__all__:
        if name.endswith(METRIC_SUFFIXES) and callable(getattr(sklearn.metrics, name, None)):
            patching.patch(flavor, sklearn.metrics, name, _post_training(_sklearn_post.MetricHooks))


def _install(flavor: str) -> None:
    import sklearn.base  # noqa: F401 - the estimator hierarchy must exist before it is walked

    _patch_classes(flavor)
    _patch_metrics(flavor)
    # Estimator modules imported later get their classes patched as they load.
    import_hooks.watch("sklearn.", _HOOK_KEY, lambda module: _patch_later(flavor))


def _patch_later(flavor: str) -> None:
    from mltrail.autolog import config, events

    if config.get(flavor) is None:
        return
    try:
        _patch_classes(flavor)
    except Exception as error:
        events.failed(flavor, "patch newly imported estimators", error)


def _uninstall() -> None:
    import_hooks.unwatch(_HOOK_KEY)
    _sklearn_post.reset()


INTEGRATION = Integration(
    flavor=FLAVOR,
    module="sklearn",
    distribution="scikit-learn",
    min_version="1.6.0",
    max_version="1.9.1",
    install=_install,
    uninstall=_uninstall,
    options={
        "max_tuning_runs": 5,
        "log_post_training_metrics": True,
        "serialization_format": "skops",
        "pos_label": None,
    },
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
    max_tuning_runs: int | None = 5,
    log_post_training_metrics: bool = True,
    serialization_format: str = "skops",
    registered_model_name: str | None = None,
    pos_label: Any = None,
    extra_tags: Mapping[str, Any] | None = None,
) -> None:
    """Autolog scikit-learn training (see docs/autolog.md for what is logged)."""
    enable(INTEGRATION, dict(locals()))


__all__ = ["FLAVOR", "INTEGRATION", "autolog"]
