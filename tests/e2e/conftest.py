"""Browser tests: the built UI in Debian's headless Chromium, driven by Playwright, against a
real `mltrail server` subprocess on 127.0.0.1 with seeded data.

Missing prerequisites fail loudly (they are setup steps, not reasons to skip):
`scripts/system-deps` installs Chromium, `scripts/build-ui` builds the UI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mltrail.server import ui
from tests.e2e import seed

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-playwright 0.10 defines a session fixture as an instance method, which pytest 9
    # warns about; the project turns warnings into errors, so silence just that one here.
    here = Path(__file__).parent
    browser_tests = [item for item in items if here in Path(str(item.path)).parents]
    for item in browser_tests:
        item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"))
        # A browser page per test and a seeded server per session: seconds each.
        item.add_marker(pytest.mark.slow)
    # Playwright's sync API keeps an asyncio loop running on the main thread until the session
    # ends; async tests collected after these would find it and fail. Browser tests go last.
    others = [item for item in items if item not in browser_tests]
    items[:] = others + browser_tests


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps (installs Debian's chromium).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


@dataclass(frozen=True)
class UiServer:
    url: str
    db_uri: str
    ids: dict[str, str]

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, f"{self.url}api/2.0/mlflow/{path}", timeout=30, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mltrail server exited early:\n{log.read_text()}")
        try:
            if httpx.get(url + "health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a real condition (the port answering), bounded by the deadline
    pytest.fail(f"mltrail server not healthy after {STARTUP_SECONDS}s:\n{log.read_text()}")


def start_server(root: Path, db_uri: str, prefix: str = "") -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = root / f"server-{port}.log"
    args = [
        sys.executable,
        "-m",
        "mltrail.cli.main",
        "server",
        "--backend-store-uri",
        db_uri,
        "--artifacts-destination",
        str(root / "mlartifacts"),
        "--port",
        str(port),
    ]
    if prefix:
        args += ["--static-prefix", prefix]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=root, env=env)
    url = f"http://127.0.0.1:{port}{prefix}/"
    wait_healthy(url, process, log)
    return process, url


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    if not ui.built():
        pytest.fail(
            f"The UI is not built ({ui.STATIC_DIR} has no index.html): run scripts/build-ui."
        )
    root = tmp_path_factory.mktemp("ui-server")
    db_uri = f"sqlite:///{root / 'mltrail.db'}"
    ids = {"bulk": seed.seed_bulk(db_uri), "long": seed.seed_long_metric(db_uri)}
    process, url = start_server(root, db_uri)
    try:
        ids.update(seed.seed_demo(url.rstrip("/"), root))
        seed.seed_registry(url.rstrip("/"), ids)
        yield UiServer(url=url, db_uri=db_uri, ids=ids)
    finally:
        stop(process)
