"""Several writers at once: threads logging to one run, processes opening a new database."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from mltrail.entities import Metric, Param, RunTag
from mltrail.store.tracking.sql import SqlTrackingStore
from mltrail.store.tracking.sql import schema as s

THREADS = 4
BATCHES = 15
PER_BATCH = 20


@pytest.fixture
def store(db_uri: str) -> Iterator[SqlTrackingStore]:
    sql_store = SqlTrackingStore(db_uri)
    yield sql_store
    sql_store.close()


def _log_from_threads(store: SqlTrackingStore, run_id: str) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(thread: int) -> None:
        try:
            start.wait()
            for batch in range(BATCHES):
                step = thread * 1000 + batch
                metrics = [
                    Metric(f"own{thread}", float(i), step, step * PER_BATCH + i)
                    for i in range(PER_BATCH - 1)
                ]
                metrics.append(Metric("shared", float(step), step, step))
                store.log_batch(
                    run_id,
                    metrics,
                    [Param(f"p{thread}-{batch}", "v"), Param("same", "1")],
                    [RunTag("last-writer", str(thread))],
                )
        except BaseException as error:  # reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_threads_logging_to_one_run_lose_nothing(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 0, [], None).info.run_id
    assert _log_from_threads(store, run_id) == []
    with store.engine.connect() as conn:
        stored = conn.execute(
            select(func.count()).select_from(s.metrics).where(s.metrics.c.run_id == run_id)
        ).scalar()
    assert stored == THREADS * BATCHES * PER_BATCH
    data = store.get_run(run_id).data
    assert len(data.params) == THREADS * BATCHES + 1
    last_step = (THREADS - 1) * 1000 + BATCHES - 1
    assert data.metrics["shared"] == float(last_step)  # the greatest step won the race
    for thread in range(THREADS):
        history = store.get_metric_history(run_id, f"own{thread}")
        assert len(history) == BATCHES * (PER_BATCH - 1)
        assert data.metrics[f"own{thread}"] == float(PER_BATCH - 2)


# Workers import first, then open the store together when told to, so the opens really race.
_WORKER = """
import sys
from mltrail.store.tracking.sql import SqlTrackingStore
print("ready", flush=True)
sys.stdin.readline()
store = SqlTrackingStore(sys.argv[1])
store.create_experiment(sys.argv[2])
store.close()
"""


@pytest.mark.slow
def test_processes_opening_a_new_database_together(db_uri: str) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, db_uri, f"worker-{i}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    assert [w.stdout.readline().strip() for w in workers] == ["ready"] * 3  # type: ignore[union-attr]
    for worker in workers:
        worker.stdin.write("go\n")  # type: ignore[union-attr]
        worker.stdin.flush()  # type: ignore[union-attr]
    failures = [w.communicate(timeout=120)[1] for w in workers if w.wait(timeout=120) != 0]
    assert failures == []
    with SqlTrackingStore(db_uri) as store:
        names = {e.name for e in store.search_experiments()}
    assert names == {"Default", "worker-0", "worker-1", "worker-2"}
