"""The byte progress sink and the stderr bar the CLI draws."""

from __future__ import annotations

import io
import threading

from mltrail import _progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_reports_reach_the_sink_of_the_context_only() -> None:
    seen: list[int] = []

    class Sink:
        def advance(self, nbytes: int) -> None:
            seen.append(nbytes)

    _progress.report(5)  # no sink: dropped
    with _progress.reporting(Sink()):
        _progress.report(3)
        _progress.report(0)
        other = threading.Thread(target=_progress.report, args=(7,))  # a new context
        other.start()
        other.join()
    _progress.report(9)
    assert seen == [3]
    assert _progress.current() is None


def test_bar_redraws_at_most_every_interval_and_settles_per_file() -> None:
    out, clock = io.StringIO(), Clock()
    bar = _progress.ByteBar("Uploading", 4096, out, interval=0.1, clock=clock)
    bar.advance(1024)  # first report draws
    clock.now = 0.05
    bar.advance(1024)  # too soon: no redraw
    assert out.getvalue().count("\r") == 1
    clock.now = 0.2
    bar.file_done(3000)  # the backend reported 2048 of this file; the file had 3000
    assert bar.done == 3000
    bar.advance(5000)  # over-reporting never passes the total
    assert bar.done == 4096
    clock.now = 1.0
    bar.close()
    lines = out.getvalue().split("\r")[1:]
    assert lines[0].startswith("Uploading  25% 1.0 KiB/4.0 KiB")
    assert lines[1].startswith("Uploading  73% 2.9 KiB/4.0 KiB")
    assert lines[-1] == "Uploading 100% 4.0 KiB/4.0 KiB  4.0 KiB/s\x1b[K\n"


def test_empty_transfer_is_complete() -> None:
    out = io.StringIO()
    bar = _progress.ByteBar("Downloading", 0, out)
    bar.close()
    assert "Downloading 100% 0 B/0 B" in out.getvalue()


def test_human_bytes() -> None:
    assert [_progress.human_bytes(n) for n in (0, 1023, 1024, 5 * 1024**2, 3 * 1024**3)] == [
        "0 B",
        "1023 B",
        "1.0 KiB",
        "5.0 MiB",
        "3.0 GiB",
    ]
