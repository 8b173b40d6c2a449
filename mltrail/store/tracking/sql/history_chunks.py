"""Long metric histories stored packed: one row per key per logged batch, not one per point.

A training loop's points reach the store in batches of hundreds (the fluent batcher sends up to
1000 at a time). When a batch carries at least `PACK_MIN` plain points of one key (no model or
dataset), they are stored as one `metric_chunks` row: the points sorted by (step, timestamp,
value), without duplicates, as little-endian int64 steps, int64 timestamps and float64 values in
one blob (NaN and +/-Inf need no encoding there). A 100,000-point history is then about a hundred
rows to read rather than 100,000, which is most of the cost of reading it.

The chunk's primary key holds a digest of its points, so a re-sent batch (a client retry) is a
no-op, as an identical history row is. Reads merge chunks with the history rows of the same key
(short batches, points with a model or dataset) in the order a history has always had.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect

from mltrail.entities import Metric, PagedList
from mltrail.entities.run import append_plain_metrics
from mltrail.store.tracking.sql import driver

PACK_MIN = 64  # fewer points of a key in one batch stay ordinary history rows
_COLUMNS = ("run_id", "key", "digest", "first_step", "last_step", "count", "points")
_READ = (
    "SELECT {first_step}, {last_step}, {count}, {points} FROM {metric_chunks}"
    " WHERE {run_id} = ? AND {key} = ?"
)
_BIG_ENDIAN = sys.byteorder == "big"

Point = tuple[int, int, float]  # (step, timestamp, value)


def order_key(point: Point) -> tuple[int, int, float, bool]:
    """A point's place in a history: (step, timestamp, value), NaN ranking as a stored 0."""
    step, timestamp, value = point
    is_nan = value != value
    return step, timestamp, 0.0 if is_nan else value, is_nan


def write(conn: Connection, run_id: str, points_by_key: dict[str, list[Point]]) -> None:
    """Store each key's points as one chunk (an identical chunk already stored is skipped)."""
    rows = [_pack(run_id, key, points) for key, points in points_by_key.items()]
    driver.execute_many(conn, _insert_sql(conn.dialect), rows)


@lru_cache(maxsize=8)
def _insert_sql(dialect: Dialect) -> str:
    return driver.insert_ignoring_duplicates(dialect, "metric_chunks", _COLUMNS)


def _pack(run_id: str, key: str, points: list[Point]) -> tuple[Any, ...]:
    ordered: list[Point] = []
    last: tuple[int, int, float, bool] | None = None
    for point in sorted(points, key=order_key):
        rank = order_key(point)
        if rank != last:  # identical points are one point, as identical history rows are
            ordered.append(point)
            last = rank
    steps, timestamps, values = zip(*ordered, strict=True)
    blob = _bytes(array("q", steps)) + _bytes(array("q", timestamps)) + _bytes(array("d", values))
    digest = hashlib.blake2b(blob, digest_size=16).hexdigest()
    return run_id, key, digest, steps[0], steps[-1], len(ordered), blob


def _bytes(numbers: array[Any]) -> bytes:
    if _BIG_ENDIAN:  # stored little-endian, whichever machine wrote them
        numbers.byteswap()
    return numbers.tobytes()


class Chunk(NamedTuple):
    first_step: int
    last_step: int
    steps: array[int]
    timestamps: array[int]
    values: array[float]


def read(conn: Connection, run_id: str, key: str) -> list[Chunk]:
    """Every chunk of one metric, in no particular order."""
    query = driver.render(conn.dialect, _READ)
    return [_unpack(*row) for row in driver.fetch(conn, query, (run_id, key))]


def _unpack(first_step: int, last_step: int, count: int, blob: bytes) -> Chunk:
    view = memoryview(blob)
    steps, timestamps, values = array("q"), array("q"), array("d")
    steps.frombytes(view[: count * 8])
    timestamps.frombytes(view[count * 8 : count * 16])
    values.frombytes(view[count * 16 :])
    if _BIG_ENDIAN:
        for numbers in (steps, timestamps, values):
            numbers.byteswap()
    return Chunk(first_step, last_step, steps, timestamps, values)


class _Segment(NamedTuple):
    """A sorted run of a history: a chunk, or the key's history rows."""

    first_step: int
    last_step: int
    size: int
    build: Callable[[list[Metric], int, int], object]  # append the Metrics of [start, stop)


def merge(
    key: str, chunks: Sequence[Chunk], rows: Sequence[Metric], offset: int, limit: int | None
) -> PagedList[Metric]:
    """One page of the history made of `chunks` and the key's (sorted) history `rows`.

    Segments whose step ranges do not overlap (a training loop's batches never do) are joined
    end to end, building only the page's Metrics; overlapping ones are sorted together.
    """
    segments = [_chunk_segment(key, chunk) for chunk in chunks]
    if rows:
        segments.append(_Segment(rows[0].step, rows[-1].step, len(rows), _slicer(rows)))
    segments.sort(key=lambda segment: segment.first_step)
    stop = sys.maxsize if limit is None else offset + limit
    if all(a.last_step < b.first_step for a, b in pairwise(segments)):
        return _page_of_joined(segments, offset, stop)
    everything: list[Metric] = []
    for segment in segments:
        segment.build(everything, 0, segment.size)
    return PagedList(_sorted_unique(everything)[offset:stop], None)


def _chunk_segment(key: str, chunk: Chunk) -> _Segment:
    def build(into: list[Metric], start: int, stop: int) -> None:
        part = slice(start, stop)
        points = zip(chunk.values[part], chunk.timestamps[part], chunk.steps[part], strict=True)
        append_plain_metrics(into, key, points)

    return _Segment(chunk.first_step, chunk.last_step, len(chunk.steps), build)


def _slicer(rows: Sequence[Metric]) -> Callable[[list[Metric], int, int], object]:
    return lambda into, start, stop: into.extend(rows[start:stop])


def _page_of_joined(segments: list[_Segment], offset: int, stop: int) -> PagedList[Metric]:
    page: PagedList[Metric] = PagedList((), None)
    position = 0  # of the current segment's first point in the whole history
    for segment in segments:
        start, end = max(offset - position, 0), min(stop - position, segment.size)
        if start < end:
            segment.build(page, start, end)
        position += segment.size
        if position >= stop:
            break
    return page


def _sorted_unique(metrics: list[Metric]) -> list[Metric]:
    def rank(m: Metric) -> tuple[int, int, float, bool]:
        return order_key((m.step, m.timestamp, m.value))

    # Points of equal rank are one point, as the history table's primary key makes them.
    metrics.sort(key=rank)
    return [m for i, m in enumerate(metrics) if i == 0 or rank(metrics[i - 1]) != rank(m)]
