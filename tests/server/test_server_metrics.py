"""Metric history (paged) and the downsampled multi-run history the UI charts use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from mltrail.store.tracking.sql.history_sample import spread_steps

if TYPE_CHECKING:
    from tests.server.conftest import Api

pytestmark = pytest.mark.anyio


async def log_steps(api: Api, run_id: str, steps: range, key: str = "loss") -> None:
    metrics = [{"key": key, "value": float(s), "timestamp": 1000 + s, "step": s} for s in steps]
    await api.post("/runs/log-batch", {"run_id": run_id, "metrics": metrics})


async def test_history_pages(api: Api) -> None:
    run_id = await api.new_run()
    await log_steps(api, run_id, range(5))
    first = await api.get("/metrics/get-history", run_id=run_id, metric_key="loss", max_results=3)
    assert [m["step"] for m in first["metrics"]] == [0, 1, 2]
    assert first["metrics"][0] == {"key": "loss", "value": 0.0, "timestamp": 1000, "step": 0}
    rest = await api.get(
        "/metrics/get-history",
        run_id=run_id,
        metric_key="loss",
        max_results=3,
        page_token=first["next_page_token"],
    )
    assert [m["step"] for m in rest["metrics"]] == [3, 4]
    assert "next_page_token" not in rest
    everything = await api.get("/metrics/get-history", run_uuid=run_id, metric_key="loss")
    assert len(everything["metrics"]) == 5


async def test_unknown_metric_is_empty(api: Api) -> None:
    run_id = await api.new_run()
    assert await api.get("/metrics/get-history", run_id=run_id, metric_key="none") == {}


async def test_bulk_interval_downsamples_per_run_and_keeps_the_ends(api: Api) -> None:
    runs = [await api.new_run(), await api.new_run()]
    await log_steps(api, runs[0], range(100))
    await log_steps(api, runs[1], range(10))
    body = await api.call(
        "GET",
        "/metrics/get-history-bulk-interval",
        params={"run_ids": runs, "metric_key": "loss", "max_results": 5},
    )
    by_run: dict[str, list[int]] = {}
    for m in body["metrics"]:
        by_run.setdefault(m["run_id"], []).append(m["step"])
    assert by_run[runs[0]] == [0, 25, 50, 74, 99]
    assert by_run[runs[1]] == [0, 2, 4, 7, 9]
    ranged = await api.call(
        "GET",
        "/metrics/get-history-bulk-interval",
        params={"run_ids": runs[:1], "metric_key": "loss", "start_step": 10, "end_step": 12},
    )
    assert [m["step"] for m in ranged["metrics"]] == [10, 11, 12]


def test_spread_steps() -> None:
    assert spread_steps([1, 2, 3], 5) == {1, 2, 3}
    assert spread_steps(list(range(10)), 1) == {9}
    assert spread_steps(list(range(10)), 2) == {0, 9}
    assert len(spread_steps(list(range(1000)), 320)) == 320


async def test_bulk_history_for_the_ui(api: Api) -> None:
    runs = [await api.new_run(), await api.new_run()]
    await log_steps(api, runs[0], range(3))
    await log_steps(api, runs[1], range(2))
    response = await api.client.get(
        "/ajax-api/2.0/mlflow/metrics/get-history-bulk",
        params={"run_id": runs, "metric_key": "loss"},
    )
    metrics = response.json()["metrics"]
    assert [(m["run_id"], m["step"]) for m in metrics] == [
        (runs[0], 0),
        (runs[0], 1),
        (runs[0], 2),
        (runs[1], 0),
        (runs[1], 1),
    ]
    capped = await api.client.get(
        "/ajax-api/2.0/mlflow/metrics/get-history-bulk",
        params={"run_id": runs, "metric_key": "loss", "max_results": 4},
    )
    assert len(capped.json()["metrics"]) == 4
