"""Training plots of a classifier, as MLflow draws them: the confusion matrix, and for binary
problems the ROC and precision-recall curves (PNG artifacts named training_*.png)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mltrail.autolog import records
from mltrail.autolog.patching import Hooks


def log_training_plots(hooks: Hooks, run_id: str, estimator: Any, X: Any, y: Any) -> None:
    """Each plot is its own step: one failing (or matplotlib missing) leaves the others."""
    import importlib.util

    from sklearn.base import is_classifier

    if y is None or not is_classifier(estimator) or importlib.util.find_spec("matplotlib") is None:
        return
    from sklearn import metrics

    predicted = estimator.predict(X)
    plots: list[tuple[str, Callable[[Any], Any]]] = [
        (
            "training_confusion_matrix.png",
            lambda ax: metrics.ConfusionMatrixDisplay.from_predictions(y, predicted, ax=ax),
        )
    ]
    classes: Any = getattr(estimator, "classes_", ())
    if len(classes) == 2 and hasattr(estimator, "predict_proba"):
        scores = estimator.predict_proba(X)[:, 1]
        positive = classes[1]
        plots += [
            (
                "training_roc_curve.png",
                lambda ax: metrics.RocCurveDisplay.from_predictions(
                    y, scores, pos_label=positive, ax=ax
                ),
            ),
            (
                "training_precision_recall_curve.png",
                lambda ax: metrics.PrecisionRecallDisplay.from_predictions(
                    y, scores, pos_label=positive, ax=ax
                ),
            ),
        ]
    for name, draw in plots:
        hooks.attempt(f"log {name}", _log_plot, run_id, name, draw)


def _log_plot(run_id: str, name: str, draw: Callable[[Any], Any]) -> None:
    # A bare Figure (no pyplot): no global state, safe in threads and without a display.
    from matplotlib.figure import Figure

    figure = Figure()
    draw(figure.subplots())
    records.client().log_figure(run_id, figure, name)
