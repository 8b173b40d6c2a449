"""Scale-out: several uvicorn workers over PostgreSQL, many concurrent clients, exact results."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from mltrail.testing.databases import temporary_database
from tests.compat.conftest import start_server, stop_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CLIENTS = 8
BATCHES = 10
PER_BATCH = 50


def client_session(url: str, client_id: int) -> str:
    """One client: a run, batches sent twice (as a retrying client would), single calls."""
    with httpx.Client(base_url=f"{url}/api/2.0/mlflow", timeout=60) as http:
        run = http.post("/runs/create", json={"experiment_id": "0", "run_name": f"c{client_id}"})
        run_id: str = run.json()["run"]["info"]["run_id"]
        for batch in range(BATCHES):
            metrics = [
                {"key": "loss", "value": step / 10, "timestamp": 1000 + step, "step": step}
                for step in range(batch * PER_BATCH, (batch + 1) * PER_BATCH)
            ]
            body = {
                "run_id": run_id,
                "metrics": metrics,
                "params": [{"key": f"p{batch}", "value": "v"}],
            }
            for _ in range(2):
                assert http.post("/runs/log-batch", json=body).status_code == 200
        for i in range(5):
            tag = {"run_id": run_id, "key": "progress", "value": str(i)}
            assert http.post("/runs/set-tag", json=tag).status_code == 200
        return run_id


def test_four_workers_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    with temporary_database("postgres", tmp_path) as uri:
        server = start_server(
            tmp_path / "server",
            "--workers",
            "4",
            "--backend-store-uri",
            uri,
            "--artifacts-destination",
            str(tmp_path / "artifacts"),
            own_store=False,
        )
        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                run_ids = list(pool.map(lambda i: client_session(server.url, i), range(CLIENTS)))
            with httpx.Client(base_url=f"{server.url}/api/2.0/mlflow", timeout=60) as http:
                for run_id in run_ids:
                    history = http.get(
                        "/metrics/get-history", params={"run_id": run_id, "metric_key": "loss"}
                    ).json()["metrics"]
                    assert [m["step"] for m in history] == list(range(BATCHES * PER_BATCH))
                    data = http.get("/runs/get", params={"run_id": run_id}).json()["run"]["data"]
                    assert len(data["params"]) == BATCHES
                    assert {"key": "progress", "value": "4"} in data["tags"]
                found = http.post("/runs/search", json={"experiment_ids": ["0"]}).json()["runs"]
                assert sorted(r["info"]["run_id"] for r in found) == sorted(run_ids)
        finally:
            stop_server(server)


def test_server_killed_mid_training_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """SIGKILL the server while a client logs; restart it; the REST store resends."""
    import os
    import signal
    import threading

    from mltrail.entities import Metric
    from mltrail.settings import Settings
    from mltrail.store.tracking.rest import RestTrackingStore

    root = tmp_path / "server"
    first = start_server(root)
    patient = Settings(http_request_max_retries=12, http_request_backoff_factor=0.2)
    store = RestTrackingStore(first.url, settings=patient)
    run_id = store.create_run("0", "me", None, [], None).info.run_id
    sent = threading.Semaphore(0)
    total = 40

    def train() -> None:
        for batch in range(total):
            steps = range(batch * PER_BATCH, (batch + 1) * PER_BATCH)
            store.log_batch(run_id, [Metric("loss", s / 10, 1000 + s, s) for s in steps])
            sent.release()

    trainer = threading.Thread(target=train)
    trainer.start()
    for _ in range(10):  # let some batches through before the crash
        assert sent.acquire(timeout=60)
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=15)
    port = int(first.url.rsplit(":", 1)[1])
    second = start_server(root, port=port)
    try:
        trainer.join(timeout=240)
        assert not trainer.is_alive()
        history = store.get_metric_history(run_id, "loss")
        assert [m.step for m in history] == list(range(total * PER_BATCH))
    finally:
        store.close()
        stop_server(second)
