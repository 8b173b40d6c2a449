"""Byte progress of artifact transfers, and the small stderr bar the CLI draws with it.

Repositories that move bytes in pieces call `report(n)`; it goes to the sink installed with
`reporting(...)` in the current context, or nowhere. A repository that transfers in its own
threads takes `current()` once on the calling thread and hands it to them. Nothing here
imports anything heavy, so every layer may use it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Protocol

__all__ = ["ByteBar", "ProgressSink", "current", "human_bytes", "report", "reporting"]


class ProgressSink(Protocol):
    def advance(self, nbytes: int) -> None:
        """`nbytes` more bytes were transferred (called from any thread)."""
        ...


_sink: ContextVar[ProgressSink | None] = ContextVar("mltrail_progress_sink", default=None)


def current() -> ProgressSink | None:
    return _sink.get()


def report(nbytes: int) -> None:
    sink = _sink.get()
    if sink is not None and nbytes:
        sink.advance(nbytes)


@contextmanager
def reporting(sink: ProgressSink | None) -> Iterator[None]:
    """Send the progress of transfers made inside the block to `sink`."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


class ByteBar:
    """``label  42% 84.0 MiB/200.0 MiB  31.2 MiB/s`` redrawn in place at most every `interval`.

    Repositories that report bytes move it smoothly; `file_done(size)` settles it after each
    file, so a backend that reports nothing still advances one file at a time, and bytes a
    backend reports are never counted twice.
    """

    def __init__(
        self,
        label: str,
        total: int,
        stream: IO[str] | None = None,
        *,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.clock = clock
        self.settled = 0  # bytes of finished files
        self.inflight = 0  # bytes reported for the file in progress
        self._lock = threading.Lock()
        self._started = clock()
        self._drawn_at = float("-inf")

    @property
    def done(self) -> int:
        return min(self.settled + self.inflight, self.total)

    def advance(self, nbytes: int) -> None:
        with self._lock:
            self.inflight += nbytes
            self._draw(force=False)

    def file_done(self, size: int) -> None:
        with self._lock:
            self.settled += size
            self.inflight = 0
            self._draw(force=False)

    def close(self) -> None:
        with self._lock:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def line(self) -> str:
        elapsed = max(self.clock() - self._started, 1e-9)
        percent = 100 if self.total <= 0 else int(100 * self.done / self.total)
        return (
            f"{self.label} {percent:3d}% {human_bytes(self.done)}/{human_bytes(self.total)}"
            f"  {human_bytes(self.done / elapsed)}/s"
        )

    def _draw(self, *, force: bool) -> None:
        now = self.clock()
        if not force and now - self._drawn_at < self.interval:
            return
        self._drawn_at = now
        self.stream.write("\r" + self.line() + "\x1b[K")
        self.stream.flush()
