"""Prepare the backend store before workers start, optionally seeding a sample experiment.

Opening the store once in the CLI process creates or upgrades the schema, so worker
processes never race on migrations. With ``--sample-data`` an empty store (only the Default
experiment, no runs) gets "mltrail-quickstart": a few runs with params and metric histories.
"""

from __future__ import annotations

import math

from mltrail._time import now_ms
from mltrail.entities import Metric, Param, RunStatus, RunTag, ViewType
from mltrail.server.settings import ServerSettings
from mltrail.store.tracking.base import TrackingStore
from mltrail.store.uri import tracking_store_for

SAMPLE_EXPERIMENT = "mltrail-quickstart"
SAMPLE_RUNS = (("baseline", 0.1, 32), ("wider", 0.05, 64), ("longer", 0.02, 64))
SAMPLE_STEPS = 50


def prepare_store(settings: ServerSettings, *, sample_data: bool) -> None:
    store = tracking_store_for(
        settings.backend_store_uri, artifact_root=settings.new_experiment_artifact_root
    )
    try:
        if sample_data and is_empty(store):
            seed(store)
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


def is_empty(store: TrackingStore) -> bool:
    experiments = store.search_experiments(view_type=ViewType.ALL, max_results=2)
    if len(experiments) > 1:
        return False
    ids = [e.experiment_id for e in experiments]
    return not ids or not store.search_runs(ids, run_view_type=ViewType.ALL, max_results=1)


def seed(store: TrackingStore) -> str:
    """Create the sample experiment and its runs; returns the experiment id."""
    experiment_id = store.create_experiment(SAMPLE_EXPERIMENT)
    start = now_ms() - 3_600_000
    for index, (name, learning_rate, width) in enumerate(SAMPLE_RUNS):
        run = store.create_run(
            experiment_id,
            user_id="mltrail",
            start_time=start + index * 60_000,
            tags=[RunTag("mltrail.sample", "true")],
            run_name=name,
        )
        run_id = run.info.run_id
        params = [Param("learning_rate", str(learning_rate)), Param("hidden_units", str(width))]
        store.log_batch(run_id, metrics=_history(learning_rate, width, start), params=params)
        store.update_run_info(run_id, RunStatus.FINISHED.value, start + 600_000, None)
    return experiment_id


def _history(learning_rate: float, width: int, start: int) -> list[Metric]:
    """Plausible, deterministic training curves."""
    metrics: list[Metric] = []
    for step in range(SAMPLE_STEPS):
        decay = math.exp(-learning_rate * step * width / 32)
        timestamp = start + step * 1000
        metrics.append(Metric("loss", round(0.1 + 2.2 * decay, 4), timestamp, step))
        metrics.append(Metric("accuracy", round(0.97 - 0.6 * decay, 4), timestamp, step))
    return metrics
