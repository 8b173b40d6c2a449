"""Readers of one machine resource each, returning MLflow's system metric names (without the
``system/`` prefix) and values. psutil loads when a monitor starts; pynvml only if installed.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

_MB = 1e6  # MLflow reports decimal megabytes
_logger = logging.getLogger(__name__)


class Collector(Protocol):
    def sample(self) -> dict[str, float]: ...


class _PsutilCollector:
    def __init__(self) -> None:
        import psutil

        self._psutil = psutil


class CpuCollector(_PsutilCollector):
    def __init__(self) -> None:
        super().__init__()
        # The first cpu_percent() call only sets the baseline the next one measures from.
        self._psutil.cpu_percent(interval=None)

    def sample(self) -> dict[str, float]:
        return {"cpu_utilization_percentage": self._psutil.cpu_percent(interval=None)}


class MemoryCollector(_PsutilCollector):
    def sample(self) -> dict[str, float]:
        memory = self._psutil.virtual_memory()
        return {
            "system_memory_usage_megabytes": memory.used / _MB,
            "system_memory_usage_percentage": memory.percent,
        }


class DiskCollector(_PsutilCollector):
    def __init__(self, path: str = "/") -> None:
        super().__init__()
        self._path = path

    def sample(self) -> dict[str, float]:
        usage = self._psutil.disk_usage(self._path)
        return {
            "disk_usage_megabytes": usage.used / _MB,
            "disk_usage_percentage": usage.percent,
            "disk_available_megabytes": usage.free / _MB,
        }


class NetworkCollector(_PsutilCollector):
    """Traffic since the monitor started (not since boot)."""

    def __init__(self) -> None:
        super().__init__()
        self._start = self._counters()

    def _counters(self) -> tuple[int, int]:
        counters = self._psutil.net_io_counters()
        return (counters.bytes_recv, counters.bytes_sent) if counters else (0, 0)

    def sample(self) -> dict[str, float]:
        received, sent = self._counters()
        return {
            "network_receive_megabytes": (received - self._start[0]) / _MB,
            "network_transmit_megabytes": (sent - self._start[1]) / _MB,
        }


class GpuCollector:
    """NVIDIA GPUs through NVML; `create()` returns None when there is no driver or pynvml."""

    def __init__(self, nvml: Any, handles: list[Any]) -> None:
        self._nvml = nvml
        self._handles = handles

    @classmethod
    def create(cls) -> GpuCollector | None:
        try:
            import pynvml

            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        except Exception:
            _logger.debug("No GPU metrics: pynvml missing or no NVIDIA driver", exc_info=True)
            return None
        return cls(pynvml, handles) if handles else None

    def sample(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for index, handle in enumerate(self._handles):
            values.update(self._device_sample(f"gpu_{index}_", handle))
        return values

    def _device_sample(self, prefix: str, handle: Any) -> dict[str, float]:
        nvml = self._nvml
        memory = nvml.nvmlDeviceGetMemoryInfo(handle)
        rates = nvml.nvmlDeviceGetUtilizationRates(handle)
        values = {
            "memory_usage_megabytes": memory.used / _MB,
            "memory_usage_percentage": 100.0 * memory.used / memory.total,
            "utilization_percentage": float(rates.gpu),
            "memory_busy_time_percent": float(rates.memory),
        }
        try:  # power readings are unsupported on some boards
            watts = nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0
            limit = nvml.nvmlDeviceGetEnforcedPowerLimit(handle) / 1000.0
            values["power_usage_watts"] = watts
            values["power_usage_percentage"] = 100.0 * watts / limit
        except Exception:
            _logger.debug("GPU power readings unavailable", exc_info=True)
        return {prefix + name: value for name, value in values.items()}


def default_collectors() -> list[Collector]:
    collectors: list[Collector] = [
        CpuCollector(),
        MemoryCollector(),
        DiskCollector(),
        NetworkCollector(),
    ]
    gpu = GpuCollector.create()
    if gpu is not None:
        collectors.append(gpu)
    return collectors
