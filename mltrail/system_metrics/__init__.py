"""System metrics (CPU, memory, disk, network, NVIDIA GPUs) logged for a run by a background
monitor, under MLflow's metric names; switched on per run or process-wide.
"""

from __future__ import annotations

from mltrail.system_metrics.config import (
    disable_system_metrics_logging,
    enable_system_metrics_logging,
    is_enabled,
    set_system_metrics_node_id,
    set_system_metrics_samples_before_logging,
    set_system_metrics_sampling_interval,
)
from mltrail.system_metrics.monitor import SystemMetricsMonitor

__all__ = [
    "SystemMetricsMonitor",
    "disable_system_metrics_logging",
    "enable_system_metrics_logging",
    "is_enabled",
    "set_system_metrics_node_id",
    "set_system_metrics_samples_before_logging",
    "set_system_metrics_sampling_interval",
]
