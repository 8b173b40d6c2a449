"""The batcher's own logic (chunking, threads, flush, error propagation) against a tiny
in-memory sink; its behaviour with the real SQL store is covered in test_durability.py."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from mltrail.entities import Metric, Param, RunTag
from mltrail.errors import InvalidParameter, NotFound
from mltrail.tracking.batching import Batcher, chunk_items

DEADLINE = 10.0


class RecordingSink:
    """Records every log_batch call; can fail for one run or block until released."""

    def __init__(self, fail_run: str | None = None) -> None:
        self.calls: list[tuple[str, list[Metric], list[Param], list[RunTag]]] = []
        self.fail_run = fail_run
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self._changed = threading.Condition()

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None:
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(DEADLINE)
        if run_id == self.fail_run:
            raise NotFound(f"Run with id={run_id} not found")
        with self._changed:
            self.calls.append((run_id, list(metrics), list(params), list(tags)))
            self._changed.notify_all()

    def metrics(self, run_id: str) -> list[Metric]:
        return [m for run, metrics, _, _ in self.calls if run == run_id for m in metrics]

    def wait_for_metrics(self, count: int) -> bool:
        with self._changed:
            return self._changed.wait_for(
                lambda: sum(len(c[1]) for c in self.calls) >= count, timeout=DEADLINE
            )


def metric(i: int, key: str = "loss") -> Metric:
    return Metric(key=key, value=float(i), timestamp=1000 + i, step=i)


def test_chunks_respect_store_limits_and_keep_order() -> None:
    items = [metric(i) for i in range(2500)]
    chunks = chunk_items(items)
    assert [len(c.metrics) for c in chunks] == [1000, 1000, 500]
    assert [m.step for c in chunks for m in c.metrics] == list(range(2500))


def test_chunks_cap_tags_and_total_entities() -> None:
    tags = [RunTag(f"t{i}", "v") for i in range(250)]
    assert [len(c.tags) for c in chunk_items(tags)] == [100, 100, 50]
    mixed = [*(metric(i) for i in range(950)), *(RunTag(f"t{i}", "v") for i in range(80))]
    assert all(len(c.metrics) + len(c.tags) <= 1000 for c in chunk_items(mixed))


def test_repeated_tag_key_keeps_last_value_and_repeated_param_gets_own_batch() -> None:
    chunks = chunk_items([RunTag("t", "a"), RunTag("t", "b"), Param("p", "1"), Param("p", "2")])
    assert list(chunks[0].tags.values()) == [RunTag("t", "b")]
    assert [list(c.params.values()) for c in chunks] == [[Param("p", "1")], [Param("p", "2")]]


def test_flush_writes_everything_in_order_per_run() -> None:
    sink = RecordingSink()
    batcher = Batcher(sink, interval=60)
    for i in range(1500):
        batcher.submit("a", metric(i))
        batcher.submit("b", metric(i, "acc"))
    batcher.flush()
    assert [m.step for m in sink.metrics("a")] == list(range(1500))
    assert [m.step for m in sink.metrics("b")] == list(range(1500))
    assert batcher.pending == 0
    batcher.close()


def test_background_thread_flushes_without_being_asked() -> None:
    sink = RecordingSink()
    batcher = Batcher(sink, interval=0.01)
    for i in range(10):
        batcher.submit("a", metric(i))
    assert sink.wait_for_metrics(10)
    batcher.close()


def test_full_queue_is_flushed_at_once_even_with_a_long_interval() -> None:
    sink = RecordingSink()
    batcher = Batcher(sink, interval=3600, threshold=100)
    for i in range(100):
        batcher.submit("a", metric(i))
    assert sink.wait_for_metrics(100)
    batcher.close()


def test_caller_writes_the_oldest_batch_itself_past_max_pending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sink = RecordingSink()
    batcher = Batcher(sink, interval=3600, threshold=5, max_pending=20)
    # No background thread: as if the store were too slow for it to keep up.
    monkeypatch.setattr(batcher, "_start_thread", lambda: None)
    for i in range(25):
        batcher.submit("a", metric(i))
    assert [m.step for m in sink.metrics("a")] == list(range(10))
    assert batcher.pending == 15
    batcher.flush()
    assert [m.step for m in sink.metrics("a")] == list(range(25))


def test_background_error_is_raised_at_the_next_call_then_cleared() -> None:
    sink = RecordingSink(fail_run="gone")
    batcher = Batcher(sink, interval=60)
    batcher.submit("gone", metric(0))
    batcher.submit("ok", metric(0))
    batcher.flush(raise_errors=False)  # what a read does: never raises a write's error
    assert len(sink.metrics("ok")) == 1
    with pytest.raises(NotFound, match="gone") as raised:
        batcher.submit("ok", metric(1))
    assert any("background write" in note for note in raised.value.__notes__)
    assert len(sink.metrics("ok")) == 1  # the failing call recorded nothing
    batcher.submit("ok", metric(1))  # the error was reported once
    batcher.flush()
    assert len(sink.metrics("ok")) == 2
    batcher.close()


def test_flush_raises_a_kept_error() -> None:
    batcher = Batcher(RecordingSink(fail_run="gone"), interval=60)
    batcher.submit("gone", metric(0))
    with pytest.raises(NotFound):
        batcher.flush()
    batcher.flush()  # nothing left to report
    batcher.close()


def test_write_now_lands_queued_items_first() -> None:
    sink = RecordingSink()
    batcher = Batcher(sink, interval=60)
    batcher.submit("a", RunTag("t", "queued"))
    batcher.write_now("a", [Param("p", "now")])
    assert [(c[2], c[3]) for c in sink.calls] == [
        ([], [RunTag("t", "queued")]),
        ([Param("p", "now")], []),
    ]
    batcher.close()


def test_write_now_raises_its_own_store_error_directly() -> None:
    batcher = Batcher(RecordingSink(fail_run="gone"), interval=60)
    with pytest.raises(NotFound) as raised:
        batcher.write_now("gone", [Param("p", "1")])
    assert not getattr(raised.value, "__notes__", [])
    batcher.close()


def test_flush_waits_for_a_write_already_in_progress() -> None:
    sink = RecordingSink()
    sink.gate = threading.Event()
    batcher = Batcher(sink, interval=0.001)
    batcher.submit("a", metric(0))
    assert sink.entered.wait(DEADLINE)  # the background thread holds the item now
    flushed = threading.Event()
    flusher = threading.Thread(target=lambda: (batcher.flush(), flushed.set()))
    flusher.start()
    flusher.join(0.2)
    assert not flushed.is_set()  # the item is not written yet, so flush must not return
    sink.gate.set()
    flusher.join(DEADLINE)
    assert flushed.is_set()
    assert len(sink.metrics("a")) == 1
    batcher.close()


def test_submissions_after_close_are_written_directly() -> None:
    sink = RecordingSink()
    batcher = Batcher(sink, interval=60)
    batcher.close()
    batcher.submit("a", metric(7))
    assert [m.step for m in sink.metrics("a")] == [7]


def test_many_threads_lose_nothing() -> None:
    sink = RecordingSink()
    batcher = Batcher(sink, interval=0.005, threshold=50)

    def produce(run: str) -> None:
        for i in range(2000):
            batcher.submit(run, metric(i))

    threads = [threading.Thread(target=produce, args=(f"r{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    batcher.flush()
    for n in range(4):
        assert [m.step for m in sink.metrics(f"r{n}")] == list(range(2000))
    batcher.close()


def test_invalid_parameter_from_sink_keeps_its_code() -> None:
    class Rejecting(RecordingSink):
        def log_batch(
            self,
            run_id: str,
            metrics: Sequence[Metric] = (),
            params: Sequence[Param] = (),
            tags: Sequence[RunTag] = (),
        ) -> None:
            raise InvalidParameter("The run r must be in the 'active' state.")

    batcher = Batcher(Rejecting(), interval=60)
    batcher.submit("r", metric(0))
    with pytest.raises(InvalidParameter) as raised:
        batcher.flush()
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    batcher.close()
