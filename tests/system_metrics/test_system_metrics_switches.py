"""Turning system metrics on and off: the environment and the process-wide switches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mltrail import system_metrics
from mltrail.errors import ErrorCode, MltrailError


@pytest.fixture(autouse=True)
def _no_process_switches() -> Iterator[None]:
    yield
    system_metrics.config.reset()


def test_off_by_default_and_on_through_mlflows_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert system_metrics.is_enabled() is False
    monkeypatch.setenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "true")
    assert system_metrics.is_enabled() is True


def test_switches_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "true")
    system_metrics.disable_system_metrics_logging()
    assert system_metrics.is_enabled() is False
    monkeypatch.delenv("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING")
    system_metrics.enable_system_metrics_logging()
    assert system_metrics.is_enabled() is True


@pytest.mark.parametrize("interval", [0, -1.0])
def test_sampling_interval_must_be_positive(interval: float) -> None:
    with pytest.raises(MltrailError, match="positive") as caught:
        system_metrics.set_system_metrics_sampling_interval(interval)
    assert caught.value.code is ErrorCode.INVALID_PARAMETER_VALUE


@pytest.mark.parametrize("samples", [0, 1.5, True])
def test_samples_before_logging_must_be_a_positive_integer(samples: int) -> None:
    with pytest.raises(MltrailError, match="positive integer"):
        system_metrics.set_system_metrics_samples_before_logging(samples)
