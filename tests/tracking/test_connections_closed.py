"""Against a live server, every connection the client opens is closed when its stores are
(nothing is left for the garbage collector to find still open)."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import mltrail
from mltrail.tracking import context
from tests.compat.conftest import LiveServer, start_server, stop_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = start_server(tmp_path / "server")
    yield live
    stop_server(live)


def test_fluent_logging_leaves_no_open_socket_behind(server: LiveServer) -> None:
    mltrail.set_tracking_uri(server.url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with mltrail.start_run() as run:
            mltrail.log_metric("loss", 0.5)  # through the background batcher and its spool
            mltrail.log_text("hello", "notes/a.txt")  # through the artifact proxy
        history = mltrail.MlflowClient().get_metric_history(run.info.run_id, "loss")
        assert [m.value for m in history] == [0.5]
        context.reset_all()  # what a test, or the end of a process, does
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
