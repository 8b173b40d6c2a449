"""A background thread that samples the machine and logs averaged system metrics for one run.

Every `sampling_interval` seconds it takes a sample; every `samples_before_logging` samples
it logs their average under ``system/`` (or ``system/<node_id>/``), step 0, 1, 2, ... per
logged batch. `finish()` wakes the thread at once and logs a final batch that includes a
fresh sample, so even a run shorter than the interval gets one point.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from mltrail._time import now_ms
from mltrail.entities import Metric
from mltrail.settings import Settings
from mltrail.system_metrics.collectors import Collector, default_collectors
from mltrail.system_metrics.config import effective_settings

FINISH_JOIN_TIMEOUT_SECONDS = 10.0
_logger = logging.getLogger(__name__)


class SystemMetricsMonitor:
    def __init__(
        self,
        run_id: str,
        log_batch: Callable[[str, list[Metric]], None],
        settings: Settings,
        collectors: Sequence[Collector] | None = None,
    ) -> None:
        settings = effective_settings(settings)
        self.run_id = run_id
        self._log_batch = log_batch
        self.sampling_interval = settings.system_metrics_sampling_interval
        self.samples_before_logging = max(1, settings.system_metrics_samples_before_logging)
        node_id = settings.system_metrics_node_id
        self.prefix = f"system/{node_id}/" if node_id else "system/"
        self._collectors = list(collectors) if collectors is not None else None
        self._stop = threading.Event()
        self._lock = threading.Lock()  # pending samples and the step, shared with finish()
        self._pending: list[dict[str, float]] = []
        self._step = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        if self._collectors is None:
            self._collectors = default_collectors()
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, name=f"mltrail-system-metrics-{self.run_id}", daemon=True
        )
        self._thread.start()

    def finish(self) -> None:
        """Stop sampling and log the last (partial) batch with a final sample."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(FINISH_JOIN_TIMEOUT_SECONDS)
        self._record_sample(flush=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.sampling_interval):
            self._record_sample(flush=False)

    def _record_sample(self, *, flush: bool) -> None:
        try:
            with self._lock:
                self._pending.append(self._sample())
                if not flush and len(self._pending) < self.samples_before_logging:
                    return
                batch, step = self._averaged(), self._step
                self._pending, self._step = [], self._step + 1
            self._log_batch(self.run_id, batch_metrics(self.prefix, batch, step))
        except Exception:
            # Monitoring must never break the run it observes.
            _logger.warning("Could not log system metrics for run %s", self.run_id, exc_info=True)

    def _sample(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for collector in self._collectors or ():
            try:
                values.update(collector.sample())
            except Exception:
                _logger.debug("System metric collector %r failed", collector, exc_info=True)
        return values

    def _averaged(self) -> dict[str, float]:
        totals: dict[str, list[float]] = {}
        for sample in self._pending:
            for name, value in sample.items():
                totals.setdefault(name, []).append(value)
        return {name: sum(values) / len(values) for name, values in totals.items()}


def batch_metrics(prefix: str, values: dict[str, float], step: int) -> list[Metric]:
    timestamp = now_ms()
    return [
        Metric(key=prefix + name, value=value, timestamp=timestamp, step=step)
        for name, value in values.items()
    ]
