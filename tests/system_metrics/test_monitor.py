"""The system-metrics monitor sampling this machine: names, steps, averaging, prompt finish."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from mltrail import system_metrics
from mltrail.entities import Metric
from mltrail.settings import Settings
from mltrail.system_metrics import SystemMetricsMonitor

MLFLOW_NAMES = {
    "cpu_utilization_percentage",
    "system_memory_usage_megabytes",
    "system_memory_usage_percentage",
    "disk_usage_megabytes",
    "disk_usage_percentage",
    "disk_available_megabytes",
    "network_receive_megabytes",
    "network_transmit_megabytes",
}
WAIT_SECONDS = 10.0


class Recorder:
    """The `log_batch` callable: keeps every batch and lets the test wait for a count."""

    def __init__(self, fail_first: int = 0) -> None:
        self.batches: list[tuple[str, list[Metric]]] = []
        self._fail_first = fail_first
        self._changed = threading.Condition()

    def __call__(self, run_id: str, metrics: list[Metric]) -> None:
        with self._changed:
            if self._fail_first:
                self._fail_first -= 1
                raise ConnectionError("server unreachable")
            self.batches.append((run_id, metrics))
            self._changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.batches) >= count, WAIT_SECONDS)


class Counting:
    """A deterministic collector (1, 2, 3, ...) to check averaging exactly."""

    def __init__(self) -> None:
        self.value = 0.0

    def sample(self) -> dict[str, float]:
        self.value += 1
        return {"counter": self.value}


@pytest.fixture(autouse=True)
def _no_process_switches() -> Iterator[None]:
    yield
    system_metrics.config.reset()


def settings(interval: float, samples: int = 1, node_id: str | None = None) -> Settings:
    return Settings(
        system_metrics_sampling_interval=interval,
        system_metrics_samples_before_logging=samples,
        system_metrics_node_id=node_id,
    )


def test_samples_this_machine_under_mlflows_names() -> None:
    recorder = Recorder()
    monitor = SystemMetricsMonitor("run-1", recorder, settings(0.02, samples=2))
    monitor.start()
    recorder.wait_for(2)
    monitor.finish()

    assert {run_id for run_id, _ in recorder.batches} == {"run-1"}
    steps = [batch[0].step for _, batch in recorder.batches]
    assert steps == list(range(len(steps)))
    for _, batch in recorder.batches:
        values = {metric.key.removeprefix("system/"): metric.value for metric in batch}
        assert set(values) >= MLFLOW_NAMES
        assert 0 <= values["cpu_utilization_percentage"] <= 100
        assert 0 < values["system_memory_usage_percentage"] <= 100
        assert values["system_memory_usage_megabytes"] > 0
        assert values["disk_usage_megabytes"] + values["disk_available_megabytes"] > 0
        assert values["network_receive_megabytes"] >= 0
        assert len({metric.timestamp for metric in batch}) == 1


def test_finish_is_prompt_and_logs_a_final_sample() -> None:
    recorder = Recorder()
    monitor = SystemMetricsMonitor("run-2", recorder, settings(3600.0, node_id="worker-0"))
    monitor.start()
    started = time.monotonic()
    monitor.finish()

    assert time.monotonic() - started < 2.0
    assert len(recorder.batches) == 1
    (_, batch) = recorder.batches[0]
    assert {metric.key for metric in batch} >= {f"system/worker-0/{n}" for n in MLFLOW_NAMES}
    assert {metric.step for metric in batch} == {0}
    monitor.finish()  # a second finish is a no-op
    assert len(recorder.batches) == 1


def test_values_are_averaged_over_samples_before_logging() -> None:
    recorder = Recorder()
    monitor = SystemMetricsMonitor(
        "run-3", recorder, settings(0.01, samples=2), collectors=[Counting()]
    )
    monitor.start()
    recorder.wait_for(2)
    monitor.finish()

    values = [batch[0].value for _, batch in recorder.batches]
    # Full windows average two consecutive samples; the final one may hold one or two.
    assert values[:2] == [1.5, 3.5]
    assert all(value % 0.5 == 0 for value in values)


def test_a_failed_log_does_not_stop_monitoring() -> None:
    recorder = Recorder(fail_first=1)
    monitor = SystemMetricsMonitor("run-4", recorder, settings(0.01), collectors=[Counting()])
    monitor.start()
    recorder.wait_for(2)
    monitor.finish()
    assert recorder.batches[0][1][0].step == 1  # step 0 was the failed batch


def test_process_switches_override_the_given_settings() -> None:
    system_metrics.set_system_metrics_sampling_interval(0.5)
    system_metrics.set_system_metrics_samples_before_logging(3)
    system_metrics.set_system_metrics_node_id("gpu-box")
    monitor = SystemMetricsMonitor("run-5", Recorder(), settings(10.0))
    assert (monitor.sampling_interval, monitor.samples_before_logging) == (0.5, 3)
    assert monitor.prefix == "system/gpu-box/"

    system_metrics.set_system_metrics_sampling_interval(None)
    system_metrics.set_system_metrics_node_id(None)
    monitor = SystemMetricsMonitor("run-6", Recorder(), settings(10.0))
    assert (monitor.sampling_interval, monitor.prefix) == (10.0, "system/")


def test_psutil_loads_only_when_a_monitor_starts() -> None:
    code = "import sys, mltrail.system_metrics; assert 'psutil' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
