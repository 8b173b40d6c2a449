"""What gradient-boosting integrations (XGBoost, LightGBM) log the same way: train() params,
per-iteration eval metrics with their step, and feature importance JSON files."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.autolog import records

# train() arguments that are data or code, not hyper-parameters.
NOT_PARAMS = frozenset(
    {
        "params",
        "dtrain",
        "train_set",
        "evals",
        "valid_sets",
        "valid_names",
        "obj",
        "feval",
        "evals_result",
        "xgb_model",
        "init_model",
        "callbacks",
    }
)


def train_params(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The booster params plus train()'s own settings (num_boost_round, ...), defaults
    included, as MLflow logs them."""
    params = {k: v for k, v in arguments.items() if k not in NOT_PARAMS}
    params.update(arguments.get("params") or {})
    return params


def log_history(
    run_id: str,
    history: Mapping[str, Mapping[str, Sequence[float]]],
    best_iteration: int | None = None,
) -> None:
    """`{data name: {metric: [value per iteration]}}` as `<data>-<metric>` at step i; with
    early stopping, the best iteration's values once more at the step after the last."""
    from mltrail._time import now_ms
    from mltrail.entities import Metric

    now = now_ms()
    items = [
        Metric(f"{data}-{metric}", float(value), now, step)
        for data, metrics in history.items()
        for metric, values in metrics.items()
        for step, value in enumerate(values)
    ]
    if best_iteration is not None:
        items += [
            Metric(f"{data}-{metric}", float(values[best_iteration]), now, len(values))
            for data, metrics in history.items()
            for metric, values in metrics.items()
            if 0 <= best_iteration < len(values)
        ]
    if items:
        records.client().log_batch(run_id, metrics=items, synchronous=True)


def log_importance(
    run_id: str, importance_type: str, scores: Mapping[str, Any], indent: int | None = None
) -> None:
    """feature_importance_<type>.json, and a bar chart of it as .png (with matplotlib)."""
    import importlib.util

    text = json.dumps({str(k): v for k, v in scores.items()}, indent=indent)
    records.client().log_text(run_id, text, f"feature_importance_{importance_type}.json")
    if importlib.util.find_spec("matplotlib") is not None:
        records.client().log_figure(
            run_id,
            _importance_chart(importance_type, scores),
            f"feature_importance_{importance_type}.png",
        )


def _importance_chart(importance_type: str, scores: Mapping[str, Any]) -> Any:
    from matplotlib.figure import Figure  # no pyplot: no global state, safe in threads

    ranked = sorted(scores.items(), key=lambda item: item[1])
    figure = Figure(figsize=(6.4, max(2.0, 0.3 * len(ranked) + 1)))
    axes = figure.subplots()
    axes.barh([str(k) for k, _ in ranked], [float(v) for _, v in ranked])
    axes.set_title(f"Feature importance ({importance_type})")
    figure.tight_layout()
    return figure
