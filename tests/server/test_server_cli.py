"""`mltrail server`: option resolution, the seed command as written, workers, sample data."""

from __future__ import annotations

import http.client
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import httpx
import pytest
from starlette.applications import Starlette

from mltrail.cli.server import build_settings, server, ui
from mltrail.server.app import create_app
from mltrail.server.sample_data import SAMPLE_EXPERIMENT, prepare_store
from mltrail.server.settings import ServerSettings
from tests.compat.conftest import LiveServer, start_server, stop_server

DEFAULTS = {
    "backend_store_uri": None,
    "registry_store_uri": None,
    "default_artifact_root": None,
    "artifacts_destination": None,
    "serve_artifacts": True,
    "artifacts_only": False,
    "allowed_hosts": None,
    "cors_allowed_origins": None,
    "x_frame_options": "SAMEORIGIN",
    "disable_security_middleware": False,
    "static_prefix": "",
    "dev": False,
}


def settings_for(**options: object) -> ServerSettings:
    return build_settings(**{**DEFAULTS, **options})  # type: ignore[arg-type]


def test_defaults_proxy_artifacts_into_mlartifacts(tmp_path: Path) -> None:
    settings = settings_for()
    assert settings.backend_store_uri == f"sqlite:///{tmp_path / 'mltrail.db'}"
    assert settings.artifacts_destination == str(tmp_path / "mlartifacts")
    assert settings.default_artifact_root is None
    assert settings.new_experiment_artifact_root == "mlflow-artifacts:/"
    assert "localhost" in settings.allowed_hosts
    assert settings.x_frame_options == "SAMEORIGIN"


def test_relative_roots_become_absolute(tmp_path: Path) -> None:
    settings = settings_for(default_artifact_root="./artifacts", static_prefix="/ml/")
    assert settings.default_artifact_root == str(tmp_path / "artifacts")
    assert settings.new_experiment_artifact_root == str(tmp_path / "artifacts")
    assert settings.static_prefix == "/ml"
    no_proxy = settings_for(serve_artifacts=False)
    assert no_proxy.default_artifact_root == str(tmp_path / "mlartifacts")
    assert no_proxy.new_experiment_artifact_root == str(tmp_path / "mlartifacts")


def test_security_options() -> None:
    settings = settings_for(allowed_hosts="a.com, 10.*", cors_allowed_origins="https://a.com")
    assert settings.allowed_hosts == ("a.com", "10.*")
    assert settings.cors_allowed_origins == ("https://a.com",)
    opened = settings_for(disable_security_middleware=True)
    assert opened.allowed_hosts == ("*",)
    assert opened.x_frame_options is None
    assert settings_for(x_frame_options="none").x_frame_options is None


def test_artifacts_only_needs_serving() -> None:
    with pytest.raises(click.UsageError):
        settings_for(artifacts_only=True, serve_artifacts=False)


def test_settings_travel_to_workers_as_json() -> None:
    settings = settings_for(allowed_hosts="a.com,b.com", default_artifact_root="/srv/a")
    assert ServerSettings.from_json(settings.to_json()) == settings


@pytest.mark.parametrize("command", [server, ui], ids=["server", "ui"])
def test_every_option_is_documented(command: click.Command) -> None:
    names = {p.name for p in command.params}
    assert {"host", "port", "workers", "backend_store_uri", "serve_artifacts", "dev"} <= names
    for param in command.params:
        assert isinstance(param, click.Option)
        assert param.help, f"--{param.name} has no help text"


def test_sample_data_seeds_an_empty_store_once(tmp_path: Path) -> None:
    settings = settings_for(backend_store_uri=f"sqlite:///{tmp_path / 's.db'}")
    prepare_store(settings, sample_data=True)
    prepare_store(settings, sample_data=True)
    from mltrail.store.uri import tracking_store_for

    store = tracking_store_for(settings.backend_store_uri, artifact_root="mlflow-artifacts:/")
    try:
        experiments = store.search_experiments(filter_string=f"name = '{SAMPLE_EXPERIMENT}'")
        assert len(experiments) == 1
        runs = store.search_runs([experiments[0].experiment_id])
        assert len(runs) == 3
        history = store.get_metric_history(runs[0].info.run_id, "loss")
        assert len(history) == 50
        assert history[0].value > history[-1].value  # the loss goes down
    finally:
        store.close()  # type: ignore[attr-defined]


@pytest.fixture
def in_process(
    tmp_path: Path, make_client: Callable[[Starlette], httpx.AsyncClient]
) -> Callable[..., tuple[Starlette, httpx.AsyncClient]]:
    def build(**options: object) -> tuple[Starlette, httpx.AsyncClient]:
        settings = settings_for(backend_store_uri=f"sqlite:///{tmp_path / 'x.db'}", **options)
        app = create_app(settings)
        return app, make_client(app)

    return build


@pytest.mark.anyio
async def test_artifacts_only_serves_just_the_proxy(
    in_process: Callable[..., tuple[Starlette, httpx.AsyncClient]],
) -> None:
    _app, client = in_process(artifacts_only=True)
    async with client:
        assert (
            await client.put("/api/2.0/mlflow-artifacts/artifacts/a.txt", content=b"x")
        ).status_code == 200
        tracking = await client.get(
            "/api/2.0/mlflow/experiments/get", params={"experiment_id": "0"}
        )
        assert tracking.status_code == 404
        assert tracking.json()["error_code"] == "ENDPOINT_NOT_FOUND"


@pytest.mark.anyio
async def test_no_serve_artifacts_drops_the_proxy(
    in_process: Callable[..., tuple[Starlette, httpx.AsyncClient]], tmp_path: Path
) -> None:
    app, client = in_process(serve_artifacts=False)
    async with client:
        proxy = await client.get("/api/2.0/mlflow-artifacts/artifacts", params={"path": ""})
        assert proxy.status_code == 404
        created = await client.post("/api/2.0/mlflow/experiments/create", json={"name": "local"})
        experiment_id = created.json()["experiment_id"]
        got = await client.get(
            "/api/2.0/mlflow/experiments/get", params={"experiment_id": experiment_id}
        )
        assert got.json()["experiment"]["artifact_location"] == str(
            tmp_path / "mlartifacts" / experiment_id
        )
    app.state.context.tracking.close()


@pytest.mark.anyio
async def test_static_prefix_moves_every_route(
    in_process: Callable[..., tuple[Starlette, httpx.AsyncClient]],
) -> None:
    app, client = in_process(static_prefix="/mltrail")
    async with client:
        moved = await client.get(
            "/mltrail/api/2.0/mlflow/experiments/get", params={"experiment_id": "0"}
        )
        assert moved.status_code == 200
        assert (await client.get("/mltrail/health")).text == "OK"
        assert (await client.get("/api/2.0/mlflow/experiments/get")).status_code == 404
    app.state.context.tracking.close()


@pytest.fixture
def seed_command_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The seed's command, as written in the issue (only the port differs)."""
    live = start_server(
        tmp_path / "seed",
        "--backend-store-uri",
        "sqlite:///mlflow.db",
        "--default-artifact-root",
        "./artifacts",
        own_store=False,
    )
    yield live
    stop_server(live)


def test_the_seed_command_works_as_written(seed_command_server: LiveServer) -> None:
    url, root = seed_command_server.url, seed_command_server.root
    with httpx.Client(base_url=url) as client:
        created = client.post("/api/2.0/mlflow/experiments/create", json={"name": "seed"})
        experiment_id = created.json()["experiment_id"]
        experiment = client.get(
            "/api/2.0/mlflow/experiments/get", params={"experiment_id": experiment_id}
        ).json()["experiment"]
    assert experiment["artifact_location"] == str(root / "artifacts" / experiment_id)
    assert (root / "mlflow.db").is_file()


@pytest.fixture
def multi_worker_server(tmp_path: Path) -> Iterator[LiveServer]:
    live = start_server(tmp_path / "workers", "--workers", "2")
    yield live
    stop_server(live)


def test_keep_alive_requests_pay_no_delayed_ack(multi_worker_server: LiveServer) -> None:
    """Without TCP_NODELAY each keep-alive round trip would wait ~40 ms for a delayed ACK."""
    host, port = multi_worker_server.url.removeprefix("http://").split(":")
    with httpx.Client(base_url=multi_worker_server.url) as client:
        run = client.post("/api/2.0/mlflow/runs/create", json={"experiment_id": "0"})
        run_id = run.json()["run"]["info"]["run_id"]
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    latencies: list[float] = []
    for step in range(40):
        body = f'{{"run_id":"{run_id}","key":"m","value":{step},"timestamp":1,"step":{step}}}'
        started = time.perf_counter()
        connection.request(
            "POST",
            "/api/2.0/mlflow/runs/log-metric",
            body=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        assert response.read() == b"{}"
        latencies.append(time.perf_counter() - started)
    connection.close()
    assert statistics.median(latencies) < 0.03, latencies
