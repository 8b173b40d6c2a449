"""Where a request is scored: in a worker thread, or right on the event loop.

A worker thread keeps the event loop free (health checks answer, the request timeout is
enforced) but costs every request two thread hand-offs, and while the worker holds the GIL the
loop must win it back for every socket event. For a model that predicts in a millisecond that
doubles latency and halves throughput on a busy machine. So a model starts out scored in the
thread pool; once it has scored `PROBATION` small requests in a row without a slow one, small
requests are scored on the loop; the first slow one there sends the model back to the pool
for good.

"Slow" is more than `SLOW_S` of wall time spent working (CPU) or waiting on something
(input/output, a lock), not merely waiting to be scheduled on a loaded machine.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

SLOW_S = 0.05
PROBATION = 8
# Bodies larger than this are always scored in the pool: their cost grows with their size.
INLINE_MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class Cost:
    """What one scoring call took: wall and CPU seconds, and whether it blocked on anything."""

    wall_s: float
    cpu_s: float
    blocked: bool

    def slow(self, limit: float) -> bool:
        return self.wall_s > limit and (self.cpu_s > limit / 2 or self.blocked)


def _voluntary_switches() -> int:
    """How often this thread has gone to sleep waiting for something (Linux: per thread)."""
    import resource

    return resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw


_COUNTS_SWITCHES = sys.platform.startswith("linux")


def measured(call: Callable[[], T], record: Callable[[Cost], None]) -> T:
    """Run `call` in this thread and `record` what it cost, whether it returns or raises."""
    switches = _voluntary_switches() if _COUNTS_SWITCHES else 0
    cpu, wall = time.thread_time(), time.perf_counter()
    try:
        return call()
    finally:
        wall_s, cpu_s = time.perf_counter() - wall, time.thread_time() - cpu
        # Without per-thread counts any long wait must be taken for blocking.
        blocked = _voluntary_switches() > switches if _COUNTS_SWITCHES else True
        record(Cost(wall_s, cpu_s, blocked))


class Placement:
    """Decides, request by request, whether scoring may run on the event loop."""

    def __init__(self, timeout: float) -> None:
        # A request must never wait on the loop for a sizeable share of its timeout.
        self.slow_s = min(SLOW_S, timeout / 4)
        self.quick_in_a_row = 0
        self.inline = False
        self.demoted = False

    def on_loop(self, body_size: int) -> bool:
        return self.inline and body_size <= INLINE_MAX_BODY

    def observe(self, cost: Cost, body_size: int, on_loop: bool) -> None:
        """Learn from one scoring call (worker threads report theirs too: plain attribute
        updates, and a lost update only delays a decision)."""
        slow = cost.slow(self.slow_s)
        if on_loop:
            if slow:
                self.inline, self.demoted = False, True
            return
        if self.demoted or body_size > INLINE_MAX_BODY:
            return
        self.quick_in_a_row = 0 if slow else self.quick_in_a_row + 1
        if self.quick_in_a_row >= PROBATION:
            self.inline = True
