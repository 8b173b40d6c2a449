"""Background batching of run writes: logging calls enqueue, one thread writes `log_batch` chunks.

The training loop never waits on the store: items are flushed on a short timer, when the queue
fills, on `flush()`, at interpreter exit and on SIGTERM. A failed background write is kept and
raised at the next call. Writes to a tracking server go through a `spool.BatchSpool`: while
the server cannot be reached they are kept in a local file and resent in order later.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol

from mltrail.entities import Metric, Param, RunTag

if TYPE_CHECKING:
    from mltrail.tracking.spool import BatchSpool

MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_PER_BATCH = 100
MAX_TAGS_PER_BATCH = 100
FLUSH_INTERVAL_SECONDS = 0.05
FLUSH_THRESHOLD = 1000
BACKGROUND_SLICE = MAX_METRICS_PER_BATCH
# Past this many pending items the caller writes a batch itself (see Batcher.submit).
MAX_PENDING = 100_000

_log = logging.getLogger(__name__)

Item = Metric | Param | RunTag


class BatchSink(Protocol):
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None: ...


@dataclass
class Chunk:
    """One `log_batch` call's worth of a single run's items, within the store's limits."""

    metrics: list[Metric] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    tags: dict[str, RunTag] = field(default_factory=dict)

    def accepts(self, item: Item) -> bool:
        room = len(self.metrics) + len(self.params) + len(self.tags) < MAX_METRICS_PER_BATCH
        if isinstance(item, Metric):
            return room and len(self.metrics) < MAX_METRICS_PER_BATCH
        if isinstance(item, RunTag):
            # A repeated tag key just overwrites (last write wins), so it always fits.
            return item.key in self.tags or (room and len(self.tags) < MAX_TAGS_PER_BATCH)
        # A repeated param key goes to the next batch so the store judges the conflict.
        return room and item.key not in self.params and len(self.params) < MAX_PARAMS_PER_BATCH

    def add(self, item: Item) -> None:
        if isinstance(item, Metric):
            self.metrics.append(item)
        elif isinstance(item, RunTag):
            self.tags[item.key] = item
        else:
            self.params[item.key] = item

    def write_to(self, sink: BatchSink, run_id: str) -> None:
        sink.log_batch(run_id, self.metrics, list(self.params.values()), list(self.tags.values()))


def chunk_items(items: Iterable[Item]) -> list[Chunk]:
    """Split one run's items, in order, into chunks the store accepts in one `log_batch`."""
    chunks = [Chunk()]
    for item in items:
        if not chunks[-1].accepts(item):
            chunks.append(Chunk())
        chunks[-1].add(item)
    return [c for c in chunks if c.metrics or c.params or c.tags]


def write_in_chunks(sink: BatchSink, run_id: str, items: Iterable[Item]) -> None:
    for chunk in chunk_items(items):
        chunk.write_to(sink, run_id)


class Batcher:
    """Queues one store's run writes and writes them in `log_batch` chunks, in order per run."""

    def __init__(
        self,
        sink: BatchSink,
        *,
        interval: float = FLUSH_INTERVAL_SECONDS,
        threshold: int = FLUSH_THRESHOLD,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._sink = sink
        self._spool = _spool_for(sink)
        self._interval = interval
        self._threshold = threshold
        self._max_pending = max_pending
        self._reset()
        _BATCHERS.add(self)
        _install_process_hooks()

    def _reset(self) -> None:
        # deque.append/popleft are atomic, so enqueueing needs no lock on the hot path.
        self._queue: deque[tuple[str, Item]] = deque()
        self._has_items = threading.Event()
        self._urgent = threading.Event()
        # Re-entrant so a SIGTERM handler that interrupts a flush in the same thread can
        # still take the lock (it defers while a store write is under way, see _on_sigterm).
        self._flush_lock = threading.RLock()
        self._flush_owner: int | None = None
        self._errors: list[BaseException] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- producer side -------------------------------------------------------------------
    def submit(self, run_id: str, item: Item) -> None:
        """Queue one item; raises first if an earlier background write failed."""
        if self._errors:
            self.raise_pending_error()
        if self._closed:
            self.write_now(run_id, (item,))
            return
        queue = self._queue
        queue.append((run_id, item))
        if not self._has_items.is_set():
            self._has_items.set()
            if self._thread is None:
                self._start_thread()
        if len(queue) >= self._threshold:
            self._urgent.set()
            if len(queue) >= self._max_pending:
                # The store is slower than the caller: help by writing the oldest batch, so
                # memory stays bounded and the caller slows to the store's pace smoothly.
                with self._flushing():
                    self._write(self._take(self._threshold))

    def submit_many(self, run_id: str, items: Iterable[Item]) -> None:
        for item in items:
            self.submit(run_id, item)

    def write_now(self, run_id: str, items: Iterable[Item]) -> None:
        """Write `items` before returning, after everything queued before them (keeps order)."""
        with self._flushing():
            self._write(self._take_all())
            self.raise_pending_error()
            write_in_chunks(self._sink, run_id, items)

    @property
    def pending(self) -> int:
        return len(self._queue)

    # -- flushing ------------------------------------------------------------------------
    def flush(self, *, raise_errors: bool = True) -> None:
        """Write everything queued so far; then raise a kept background error if asked."""
        # Items taken by a running flush are not in the queue: wait for that flush too.
        if self._queue or self._flush_owner is not None or self._spooled():
            with self._flushing():
                self._write(self._take_all())
                self._drain_spool(force=True)
        if raise_errors:
            self.raise_pending_error()

    def raise_pending_error(self) -> None:
        if not self._errors:
            return
        first, *rest = self._errors
        self._errors.clear()
        if rest:
            first.add_note(f"{len(rest)} more background write(s) failed as well.")
        raise first

    def close(self) -> None:
        """Flush and stop the background thread; later submissions are written directly."""
        self._closed = True
        self._has_items.set()
        self._urgent.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self.flush(raise_errors=False)
        if self._spool is not None:
            self._spool.close()

    def is_writing_in_current_thread(self) -> bool:
        return self._flush_owner == threading.get_ident()

    @contextmanager
    def _flushing(self) -> Iterator[None]:
        outer_owner: int | None = None
        try:
            with self._flush_lock:
                outer_owner = self._flush_owner
                self._flush_owner = threading.get_ident()
                try:
                    yield
                finally:
                    self._flush_owner = outer_owner
        finally:
            if outer_owner is None:
                _redeliver_deferred_signal()

    def _take_all(self) -> dict[str, list[Item]]:
        return self._take(len(self._queue))

    def _take(self, limit: int) -> dict[str, list[Item]]:
        """Up to `limit` of the oldest items, grouped by run in queue order."""
        by_run: dict[str, list[Item]] = {}
        queue = self._queue
        for _ in range(min(limit, len(queue))):
            run_id, item = queue.popleft()
            by_run.setdefault(run_id, []).append(item)
        return by_run

    def _write(self, by_run: dict[str, list[Item]]) -> None:
        for run_id, items in by_run.items():
            for chunk in chunk_items(items):
                try:
                    if self._spool is not None:
                        self._spool.send(
                            run_id,
                            chunk.metrics,
                            list(chunk.params.values()),
                            list(chunk.tags.values()),
                        )
                    else:
                        chunk.write_to(self._sink, run_id)
                except Exception as exc:  # kept and raised to the caller at the next call
                    exc.add_note(
                        f"Raised by a background write of earlier logging calls for run "
                        f"{run_id}; those values were not recorded."
                    )
                    self._errors.append(exc)

    def _spooled(self) -> bool:
        return self._spool is not None and self._spool.pending

    def _drain_spool(self, *, force: bool = False) -> None:
        if self._spool is not None and self._spool.pending:
            try:
                self._spool.drain(force=force)
            except Exception as exc:  # a spooled batch the server refused
                self._errors.append(exc)

    # -- background thread ---------------------------------------------------------------
    def _start_thread(self) -> None:
        with _HOOKS_LOCK:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="mltrail-batcher", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while not self._closed:
            # With batches spooled, wake up to resend them even when nothing new comes.
            spool = self._spool
            if spool is not None and spool.pending:
                self._has_items.wait(spool.seconds_to_retry() + 0.01)
                self._has_items.clear()
                if not self._queue:
                    with self._flushing():
                        self._drain_spool()
                    continue
                self._has_items.set()
            self._has_items.wait()
            # Let a batch accumulate unless the queue already holds a full one.
            self._urgent.wait(self._interval)
            self._urgent.clear()
            self._has_items.clear()
            # A slice at a time, releasing the lock in between, so a caller's flush or
            # back-pressure write never waits behind a long backlog.
            while self._queue and not self._closed:
                with self._flushing():
                    self._write(self._take(BACKGROUND_SLICE))


def _spool_for(sink: BatchSink) -> BatchSpool | None:
    from mltrail.tracking.spool import spool_for

    return spool_for(sink)


class RunOperations:
    """Returned by `synchronous=False` logging calls; `wait()` returns once they are written."""

    def __init__(self, batcher: Batcher) -> None:
        self._batcher = batcher

    def wait(self) -> None:
        self._batcher.flush()


# -- process-wide hooks: exit, SIGTERM, fork --------------------------------------------------
_BATCHERS: weakref.WeakSet[Batcher] = weakref.WeakSet()
_HOOKS_LOCK = threading.Lock()
_hooks_installed = False
_sigterm_installed = False
_previous_sigterm: Callable[[int, FrameType | None], Any] | int | None = None
_deferred_signal: tuple[int, FrameType | None] | None = None


def flush_all(*, raise_errors: bool = True) -> None:
    """Flush every batcher in the process (``mltrail.flush_async_logging``)."""
    for batcher in list(_BATCHERS):
        batcher.flush(raise_errors=raise_errors)


def _install_process_hooks() -> None:
    global _hooks_installed
    with _HOOKS_LOCK:
        if not _hooks_installed:
            atexit.register(_flush_at_exit)
            os.register_at_fork(after_in_child=_reset_after_fork)
            _hooks_installed = True
    _install_sigterm_handler()


def _install_sigterm_handler() -> None:
    """Flush before the process dies of SIGTERM; only the main thread may install handlers."""
    global _sigterm_installed, _previous_sigterm
    if _sigterm_installed or threading.current_thread() is not threading.main_thread():
        return
    _previous_sigterm = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _on_sigterm)
    _sigterm_installed = True


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    global _deferred_signal
    if any(b.is_writing_in_current_thread() for b in list(_BATCHERS)):
        # The signal interrupted a store write in this thread: writing again from here could
        # wait on that write's own database lock. Finish it; the flush re-delivers the signal.
        _deferred_signal = (signum, frame)
        return
    _flush_quietly()
    previous = _previous_sigterm
    if callable(previous):
        previous(signum, frame)
    elif previous != signal.SIG_IGN:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _redeliver_deferred_signal() -> None:
    global _deferred_signal
    deferred = _deferred_signal
    if deferred is not None and threading.current_thread() is threading.main_thread():
        _deferred_signal = None
        _on_sigterm(*deferred)


def _flush_quietly() -> None:
    for batcher in list(_BATCHERS):
        try:
            batcher.flush()
        except Exception:
            _log.exception("mltrail could not write queued run data")


def _flush_at_exit() -> None:
    for batcher in list(_BATCHERS):
        try:
            batcher.close()
            batcher.raise_pending_error()
        except Exception:
            _log.exception("mltrail could not write queued run data at exit")


def _reset_after_fork() -> None:
    # The child inherits the parent's queue (the parent writes it) and a dead thread.
    global _deferred_signal, _HOOKS_LOCK
    _deferred_signal = None
    _HOOKS_LOCK = threading.Lock()
    for batcher in list(_BATCHERS):
        batcher._reset()
