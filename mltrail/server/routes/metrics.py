"""Metric histories: paged history of one run, and downsampled histories of many (for charts)."""

from __future__ import annotations

import dataclasses

from mltrail.entities import Metric
from mltrail.server.context import ServerContext
from mltrail.server.endpoint import Json, api_routes
from mltrail.store.tracking.sql.history_sample import spread_steps
from mltrail.wire import requests as rq
from mltrail.wire.codecs import metric_to_dict


def get_metric_history(ctx: ServerContext, req: rq.GetMetricHistory) -> Json:
    page = ctx.tracking.get_metric_history(
        req.id, req.metric_key, max_results=req.max_results, page_token=req.page_token
    )
    return {
        "metrics": [metric_to_dict(m, with_run_id=False) for m in page],
        "next_page_token": page.token,
    }


def get_metric_history_bulk_interval(
    ctx: ServerContext, req: rq.GetMetricHistoryBulkInterval
) -> Json:
    """At most `max_results` points per run, evenly spread over the run's steps in range."""
    metrics: list[Json] = []
    # SQL stores pick the steps before building any Metric; others are sampled here.
    sample = getattr(ctx.tracking, "sample_metric_history", None)
    for run_id in dict.fromkeys(req.run_ids):
        if sample is not None:
            kept = sample(run_id, req.metric_key, req.max_results, req.start_step, req.end_step)
        else:
            history = ctx.tracking.get_metric_history(run_id, req.metric_key)
            in_range = [m for m in history if _in_range(m.step, req.start_step, req.end_step)]
            keep = spread_steps(sorted({m.step for m in in_range}), req.max_results)
            kept = [m for m in in_range if m.step in keep]
        metrics.extend(metric_to_dict(_with_run(m, run_id)) for m in kept)
    return {"metrics": metrics}


def get_metric_history_bulk(ctx: ServerContext, req: rq.GetMetricHistoryBulk) -> Json:
    """Up to `max_results` points in all, run after run (the UI's chart endpoint)."""
    metrics: list[Json] = []
    for run_id in dict.fromkeys(req.run_id):
        remaining = req.max_results - len(metrics)
        if remaining <= 0:
            break
        history = ctx.tracking.get_metric_history(run_id, req.metric_key, max_results=remaining)
        metrics.extend(metric_to_dict(_with_run(m, run_id)) for m in history)
    return {"metrics": metrics}


def _in_range(step: int, start: int | None, end: int | None) -> bool:
    return (start is None or step >= start) and (end is None or step <= end)


def _with_run(metric: Metric, run_id: str) -> Metric:
    return metric if metric.run_id == run_id else dataclasses.replace(metric, run_id=run_id)


routes = [
    *api_routes("/metrics/get-history", "GET", rq.GetMetricHistory, get_metric_history),
    *api_routes(
        "/metrics/get-history-bulk", "GET", rq.GetMetricHistoryBulk, get_metric_history_bulk
    ),
    *api_routes(
        "/metrics/get-history-bulk-interval",
        "GET",
        rq.GetMetricHistoryBulkInterval,
        get_metric_history_bulk_interval,
    ),
]
