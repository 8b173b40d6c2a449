"""Queued metrics survive the end of the process: a normal exit, an uncaught exception, and
SIGTERM. Each case is a real child process logging to its own SQLite file; the three run in
parallel to keep the file quick."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mltrail.store.uri import tracking_store_for

ROOT = Path(__file__).resolve().parents[2]
METRICS = 5_000
CHILD = f"""
import sys, threading
import mltrail as mlflow

mode = sys.argv[1]
run = mlflow.start_run()
print(run.info.run_id, flush=True)
mlflow.log_param("mode", mode)  # params are written at once; metrics below are queued
# Keep the background thread idle so every metric is still queued when the process ends.
batcher = mlflow.MlflowClient()._batcher
batcher._interval, batcher._threshold = 3600.0, 10**9
for step in range({METRICS}):
    mlflow.log_metric("loss", float(step), step=step)
if mode == "raise":
    raise RuntimeError("training crashed")
if mode == "sigterm":
    print("ready", batcher.pending, flush=True)
    threading.Event().wait()  # until the parent's SIGTERM
"""

pytestmark = pytest.mark.slow


@dataclass
class Outcome:
    folder: Path
    run_id: str
    returncode: int
    stderr: str


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env["PYTHONPATH"] = str(ROOT)
    children = {}
    for mode in ("exit", "raise", "sigterm"):
        folder = tmp_path_factory.mktemp(mode)
        children[mode] = (
            folder,
            subprocess.Popen(
                [sys.executable, "-c", CHILD, mode],
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    results = {}
    try:
        for mode, (folder, child) in children.items():
            assert child.stdout is not None
            run_id = child.stdout.readline().strip()
            if mode == "sigterm":
                assert child.stdout.readline().split() == ["ready", str(METRICS)]
                child.send_signal(signal.SIGTERM)
            _, stderr = child.communicate(timeout=240)
            results[mode] = Outcome(folder, run_id, child.returncode, stderr)
        yield results
    finally:
        for _, child in children.values():
            if child.poll() is None:
                child.kill()
                child.communicate()


def _stored(outcome: Outcome) -> tuple[int, str, dict[str, str]]:
    store = tracking_store_for(f"sqlite:///{outcome.folder / 'mltrail.db'}")
    try:
        history = store.get_metric_history(outcome.run_id, "loss")
        steps = [m.step for m in history]
        assert steps == list(range(len(steps)))
        run = store.get_run(outcome.run_id)
        return len(history), run.info.status, run.data.params
    finally:
        store.close()  # type: ignore[attr-defined]


def test_normal_exit_keeps_every_metric(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["exit"]
    assert outcome.returncode == 0, outcome.stderr
    assert _stored(outcome) == (METRICS, "FINISHED", {"mode": "exit"})


def test_uncaught_exception_keeps_every_metric(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["raise"]
    assert outcome.returncode == 1
    assert "training crashed" in outcome.stderr
    count, _, params = _stored(outcome)
    assert (count, params) == (METRICS, {"mode": "raise"})


def test_sigterm_keeps_every_metric_and_still_terminates(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["sigterm"]
    # The default SIGTERM behaviour (death by the signal) follows the flush.
    assert outcome.returncode == -signal.SIGTERM, outcome.stderr
    count, status, _ = _stored(outcome)
    assert count == METRICS
    assert status == "RUNNING"  # killed processes do not end their runs, as in MLflow
