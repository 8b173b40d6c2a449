"""Scale-out topology on one machine: several server workers over a temporary PostgreSQL
database with an S3 (moto) artifact destination, many concurrent clients; and the readiness
endpoint a load balancer polls."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from mltrail.server.app import create_app
from mltrail.server.settings import ServerSettings
from mltrail.testing.databases import POSTGRES_ADMIN_URI, temporary_database
from mltrail.tracking.client import MltrailClient
from tests.compat.conftest import LiveServer, stop_server
from tests.s3_server import MotoServer, moto_s3, start_server_on_s3

__all__ = ["moto_s3"]  # fixture, imported for pytest

WORKERS = 4
CLIENTS = 16
LOGGING_SECONDS = 4.0
PER_BATCH = 20
MIN_BATCHES = 3  # even on a machine so loaded that the deadline passes before the first


# -- readiness -------------------------------------------------------------------------------


async def ready(app_settings: ServerSettings) -> tuple[httpx.Response, httpx.Response]:
    app = create_app(app_settings)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost:5000"
        ) as http:
            return await http.get("/ready"), await http.get("/health")
    finally:
        app.state.context.tracking.close()


@pytest.mark.anyio
async def test_ready_on_sqlite(tmp_path: Path) -> None:
    settings = ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'm.db'}")
    answer, health = await ready(settings)
    assert (answer.status_code, answer.json()) == (200, {"status": "ready", "database": "ok"})
    assert health.text == "OK"


@pytest.mark.anyio
@pytest.mark.postgres
async def test_ready_turns_503_when_the_database_goes_away(tmp_path: Path) -> None:
    with temporary_database("postgres", tmp_path) as uri:
        app = create_app(ServerSettings(backend_store_uri=uri))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:5000") as h:
            before = await h.get("/ready")
            name = uri.rsplit("/", 1)[1]
            admin = create_engine(POSTGRES_ADMIN_URI, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:  # kills the pooled connections too
                conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
            admin.dispose()
            after = await h.get("/ready")
            health = await h.get("/health")
        app.state.context.tracking.close()
    assert before.status_code == 200
    assert after.status_code == 503
    assert after.json()["status"] == "unavailable"
    assert after.json()["database"].startswith("unreachable (")
    assert name not in after.text  # no connection details
    assert "127.0.0.1" not in after.text
    assert health.status_code == 200  # alive, just not ready


@pytest.mark.anyio
async def test_an_artifacts_only_server_is_ready_without_a_database(tmp_path: Path) -> None:
    settings = ServerSettings(
        backend_store_uri="unused://", artifacts_destination=str(tmp_path), artifacts_only=True
    )
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://localhost:5000"
    ) as http:
        answer = await http.get("/ready")
    assert (answer.status_code, answer.json()) == (200, {"status": "ready"})


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- the topology ----------------------------------------------------------------------------


@dataclass
class Acknowledged:
    """What the server confirmed to one client; exactly this must be stored."""

    run_id: str = ""
    steps: list[int] = field(default_factory=list)
    artifacts: dict[str, bytes] = field(default_factory=dict)


def client_session(url: str, index: int, deadline: float, workdir: Path) -> Acknowledged:
    """Log metric batches until the deadline, at least MIN_BATCHES of them (each sent twice,
    as a retrying client would), then a file through the artifact proxy; remember what the
    server acknowledged."""
    acked = Acknowledged()
    with httpx.Client(base_url=f"{url}/api/2.0/mlflow", timeout=60) as http:
        created = http.post("/runs/create", json={"experiment_id": "0", "run_name": f"c{index}"})
        acked.run_id = created.json()["run"]["info"]["run_id"]
        step = 0
        while step < MIN_BATCHES * PER_BATCH or time.monotonic() < deadline:
            steps = list(range(step, step + PER_BATCH))
            metrics = [
                {"key": "loss", "value": s / 7, "timestamp": 1000 + s, "step": s} for s in steps
            ]
            body = {"run_id": acked.run_id, "metrics": metrics}
            if all(http.post("/runs/log-batch", json=body).status_code == 200 for _ in range(2)):
                acked.steps += steps
            step += PER_BATCH
        tag = {"run_id": acked.run_id, "key": "client", "value": str(index)}
        assert http.post("/runs/set-tag", json=tag).status_code == 200
    payload = os.urandom(64 * 1024 + index)
    source = workdir / f"c{index}" / "weights.bin"
    source.parent.mkdir(parents=True)
    source.write_bytes(payload)
    MltrailClient(url).log_artifact(acked.run_id, str(source), "model")
    acked.artifacts["model/weights.bin"] = payload
    return acked


@pytest.fixture
def topology(tmp_path: Path, moto_s3: MotoServer) -> Iterator[tuple[LiveServer, str]]:
    bucket = moto_s3.new_bucket()
    with temporary_database("postgres", tmp_path) as uri:
        server = start_server_on_s3(
            tmp_path / "server",
            moto_s3,
            "--workers",
            str(WORKERS),
            "--backend-store-uri",
            uri,
            "--artifacts-destination",
            f"s3://{bucket}/mlartifacts",
            env={"MLTRAIL_SQLALCHEMYSTORE_POOL_SIZE": "4"},
        )
        try:
            yield server, bucket
        finally:
            stop_server(server)


@pytest.mark.postgres
@pytest.mark.slow
def test_workers_on_postgres_and_s3_store_every_acknowledged_write_once(
    topology: tuple[LiveServer, str],
    moto_s3: MotoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, bucket = topology
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    # mlflow-artifacts: URIs resolve against the tracking URI of the environment.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server.url)
    deadline = time.monotonic() + LOGGING_SECONDS
    with ThreadPoolExecutor(CLIENTS) as pool:
        sessions = list(
            pool.map(lambda i: client_session(server.url, i, deadline, tmp_path), range(CLIENTS))
        )
    assert all(s.steps for s in sessions)  # every client got writes acknowledged

    s3 = moto_s3.client()
    reader = MltrailClient(server.url)
    with httpx.Client(base_url=f"{server.url}/api/2.0/mlflow", timeout=60) as http:
        for i, acked in enumerate(sessions):
            history = http.get(
                "/metrics/get-history", params={"run_id": acked.run_id, "metric_key": "loss"}
            ).json()["metrics"]
            assert sorted(m["step"] for m in history) == acked.steps  # once each, none lost
            run = http.get("/runs/get", params={"run_id": acked.run_id}).json()["run"]
            assert {"key": "client", "value": str(i)} in run["data"]["tags"]
            key = f"mlartifacts/0/{acked.run_id}/artifacts/model/weights.bin"
            stored = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            assert stored == acked.artifacts["model/weights.bin"]
            local = reader.download_artifacts(acked.run_id, "model", str(tmp_path / f"d{i}"))
            assert Path(local, "weights.bin").read_bytes() == stored
        # Whichever worker answers, search gives the same, complete answer.
        answers = set()
        for _ in range(3 * WORKERS):
            found = http.post(
                "/runs/search",
                json={"experiment_ids": ["0"], "order_by": ["attributes.run_name ASC"]},
            ).json()["runs"]
            answers.add(
                tuple((r["info"]["run_id"], r["data"]["metrics"][0]["value"]) for r in found)
            )
        assert len(answers) == 1
        (answer,) = answers
        assert sorted(run_id for run_id, _ in answer) == sorted(s.run_id for s in sessions)
    ready = httpx.get(f"{server.url}/ready", timeout=10)
    assert (ready.status_code, ready.json()["database"]) == (200, "ok")
