"""GridSearchCV / RandomizedSearchCV: best params and score on the parent run, cv_results.csv,
and one child run per top-ranked candidate (`max_tuning_runs`)."""

from __future__ import annotations

import math
from typing import Any

from mltrail.autolog import records
from mltrail.autolog._sklearn_training import params_of, tags_of
from mltrail.autolog.runs import AUTOLOGGING_TAG

PARENT_RUN_TAG = "mlflow.parentRunId"


def best_results(search: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """(best_<param> params, best_cv_score metric) of a fitted search."""
    params = {f"best_{k}": v for k, v in (getattr(search, "best_params_", None) or {}).items()}
    metrics = {}
    score = getattr(search, "best_score_", None)
    if score is not None:
        metrics["best_cv_score"] = float(score)
    return params, metrics


def cv_results_csv(search: Any) -> str:
    import pandas as pd

    return str(pd.DataFrame(search.cv_results_).to_csv(index=False))


def ranked_candidates(search: Any, limit: int | None) -> list[int]:
    """Indices of the candidates to log as child runs, best rank first."""
    results = search.cv_results_
    refit = search.refit if isinstance(search.refit, str) else "score"
    rank_key = f"rank_test_{refit}"
    count = len(results["params"])
    order = list(range(count))
    if rank_key in results:
        order.sort(key=lambda i: int(results[rank_key][i]))
    return order if limit is None else order[:limit]


def candidate_metrics(results: dict[str, Any], index: int) -> dict[str, float]:
    """Summary columns of one candidate (per-split columns and params left out)."""
    found = {}
    for key, values in results.items():
        if key == "params" or key.startswith(("param_", "split")):
            continue
        try:
            value = float(values[index])
        except (TypeError, ValueError):
            continue
        if not math.isnan(value):
            found[key] = value
    return found


def log_child_runs(
    search: Any, parent_run_id: str, experiment_id: str, limit: int, dataset: Any
) -> None:
    from mltrail.tracking.source import default_run_tags

    client = records.client()
    base = search.estimator
    base_params = params_of(base)
    results = search.cv_results_
    for index in ranked_candidates(search, limit):
        tags = {
            **default_run_tags(),
            PARENT_RUN_TAG: parent_run_id,
            AUTOLOGGING_TAG: "sklearn",
            **tags_of(base),
        }
        run = client.create_run(experiment_id, tags=tags)
        run_id = run.info.run_id
        try:
            records.log_params(run_id, {**base_params, **results["params"][index]})
            records.log_metrics(run_id, candidate_metrics(results, index))
            if dataset is not None:
                records.log_dataset(run_id, dataset, "train")
        finally:
            client.set_terminated(run_id)
