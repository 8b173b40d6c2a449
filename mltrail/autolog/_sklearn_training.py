"""What a fitted scikit-learn estimator logs: params, tags, training metrics (MLflow's names)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from mltrail.autolog import events

PREFIX = "training_"


def is_search(estimator: Any) -> bool:
    from sklearn.model_selection._search import BaseSearchCV

    return isinstance(estimator, BaseSearchCV)


def params_of(estimator: Any) -> dict[str, Any]:
    """get_params: deep (nested steps flattened) except for searches, as MLflow does."""
    return dict(estimator.get_params(deep=not is_search(estimator)))


def tags_of(estimator: Any) -> dict[str, str]:
    cls = type(estimator)
    return {"estimator_name": cls.__name__, "estimator_class": f"{cls.__module__}.{cls.__name__}"}


def training_metrics(
    flavor: str, estimator: Any, X: Any, y: Any, sample_weight: Any, pos_label: Any
) -> dict[str, float]:
    """training_* metrics for classifiers and regressors (training_score for the others)."""
    from sklearn.base import is_classifier, is_regressor

    found: dict[str, float] = {}
    if hasattr(estimator, "score"):
        # Only pass sample_weight when given: searches refuse unrouted keyword arguments.
        weighting = {} if sample_weight is None else {"sample_weight": sample_weight}
        _measure(flavor, found, "score", lambda: estimator.score(X, y, **weighting))
    if y is None:
        return found
    if is_classifier(estimator):
        _classifier_metrics(flavor, found, estimator, X, y, sample_weight, pos_label)
    elif is_regressor(estimator):
        _regressor_metrics(flavor, found, estimator, X, y, sample_weight)
    return found


def _measure(flavor: str, into: dict[str, float], name: str, compute: Callable[[], Any]) -> None:
    try:
        value = float(compute())
    except Exception as error:
        events.failed(flavor, f"compute {PREFIX}{name}", error)
        return
    if not math.isnan(value) or name == "score":
        into[PREFIX + name] = value


def _classifier_metrics(
    flavor: str,
    into: dict[str, float],
    estimator: Any,
    X: Any,
    y: Any,
    weight: Any,
    pos_label: Any,
) -> None:
    from sklearn import metrics

    predicted = estimator.predict(X)
    averaging: dict[str, Any] = (
        {"average": "weighted"}
        if pos_label is None
        else {"average": "binary", "pos_label": pos_label}
    )
    for name in ("precision_score", "recall_score", "f1_score"):
        fn: Callable[..., Any] = getattr(metrics, name)
        _measure(
            flavor,
            into,
            name,
            functools.partial(fn, y, predicted, sample_weight=weight, zero_division=0, **averaging),
        )
    _measure(
        flavor,
        into,
        "accuracy_score",
        lambda: metrics.accuracy_score(y, predicted, sample_weight=weight),
    )
    if not hasattr(estimator, "predict_proba"):
        return
    try:
        proba = estimator.predict_proba(X)
    except Exception as error:
        events.failed(flavor, "compute predict_proba for training metrics", error)
        return
    classes = getattr(estimator, "classes_", None)
    _measure(
        flavor,
        into,
        "log_loss",
        lambda: metrics.log_loss(y, proba, sample_weight=weight, labels=classes),
    )
    _measure(flavor, into, "roc_auc", lambda: _roc_auc(y, proba, weight, classes))


def _roc_auc(y: Any, proba: Any, weight: Any, classes: Any) -> float:
    from sklearn.metrics import roc_auc_score

    if proba.shape[1] == 2:
        return float(roc_auc_score(y, proba[:, 1], sample_weight=weight))
    return float(
        roc_auc_score(
            y, proba, sample_weight=weight, average="weighted", multi_class="ovo", labels=classes
        )
    )


def _regressor_metrics(
    flavor: str, into: dict[str, float], estimator: Any, X: Any, y: Any, weight: Any
) -> None:
    from sklearn import metrics

    predicted = estimator.predict(X)

    def mse() -> float:
        return float(metrics.mean_squared_error(y, predicted, sample_weight=weight))

    _measure(flavor, into, "mean_squared_error", mse)
    _measure(flavor, into, "root_mean_squared_error", lambda: math.sqrt(mse()))
    _measure(
        flavor,
        into,
        "mean_absolute_error",
        lambda: metrics.mean_absolute_error(y, predicted, sample_weight=weight),
    )
    _measure(flavor, into, "r2_score", lambda: metrics.r2_score(y, predicted, sample_weight=weight))


def estimator_html(estimator: Any) -> str:
    from sklearn.utils import estimator_html_repr

    return str(estimator_html_repr(estimator))
