"""A metric's history thinned to at most N steps spread evenly over a step range.

Charts of long metrics ask for a few hundred points of a history that may hold millions. The
steps are read as plain integers (packed chunks decode to arrays at C speed), the kept steps are
chosen, and only their points become `Metric`s: the cost follows what is returned, not the
length of the history.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection

from mltrail.entities import Metric
from mltrail.store.tracking.sql import driver, history_chunks
from mltrail.store.tracking.sql.metrics import to_metric

_IN_BATCH = 500  # steps per IN list: far below every driver's parameter limit
_ROW_STEPS = (
    "SELECT DISTINCT {step} FROM {metrics}"
    " WHERE {run_id} = ? AND {key} = ? AND {step} >= ? AND {step} <= ?"
)
_ROWS_AT_STEPS = (
    "SELECT {value}, {is_nan}, {timestamp}, {step}, {model_id}, {dataset_name}, {dataset_digest}"
    " FROM {metrics} WHERE {run_id} = ? AND {key} = ? AND {step} IN (?*)"
    " ORDER BY {step}, {timestamp}, {value}, {is_nan}"
)
_LOWEST, _HIGHEST = -(2**63), 2**63 - 1


def spread_steps(steps: Sequence[int], limit: int) -> set[int]:
    """`limit` of the sorted `steps`, evenly spread, always keeping the first and the last."""
    if len(steps) <= limit:
        return set(steps)
    if limit == 1:
        return {steps[-1]}
    last = len(steps) - 1
    return {steps[round(i * last / (limit - 1))] for i in range(limit)}


def read_sampled_history(
    conn: Connection,
    run_id: str,
    key: str,
    limit: int,
    start_step: int | None = None,
    end_step: int | None = None,
) -> list[Metric]:
    """Every point of the kept steps, in history order."""
    import numpy as np  # vectorised over millions of steps; numpy is a core dependency

    low = _LOWEST if start_step is None else start_step
    high = _HIGHEST if end_step is None else end_step
    chunks = sorted(history_chunks.read(conn, run_id, key), key=lambda chunk: chunk.first_step)
    query = driver.render(conn.dialect, _ROW_STEPS)
    row_steps = sorted(step for (step,) in driver.fetch(conn, query, (run_id, key, low, high)))
    # Each part is (steps, timestamps, values) of a stretch of history sorted by step.
    parts = [_numbers(np, chunk) for chunk in chunks]
    if all(a.last_step < b.first_step for a, b in pairwise(chunks)):
        # A training loop's chunks follow one another: joined, they are sorted already and
        # the sort of a million steps is not needed.
        parts = (
            [tuple(np.concatenate(column) for column in zip(*parts, strict=True))] if parts else []
        )
        every = parts[0][0] if parts else np.empty(0, dtype=np.int64)
        steps = every[np.searchsorted(every, low) : np.searchsorted(every, high, "right")]
    else:
        every = np.concatenate([steps for steps, _, _ in parts])
        steps = np.sort(every[(every >= low) & (every <= high)])
    rows = np.array(row_steps, dtype=np.int64)
    keep = _spread(np, _distinct(np, np.insert(steps, np.searchsorted(steps, rows), rows)), limit)
    kept_chunks = [_pick(np, part, keep) for part in parts]
    at_rows = sorted(set(row_steps).intersection(keep.tolist()))
    rows_kept = _rows_at(conn, run_id, key, at_rows)
    return history_chunks.merge(key, [c for c in kept_chunks if c.steps], rows_kept, 0, None)


def _spread(np: Any, steps: Any, limit: int) -> Any:
    """`spread_steps` over a sorted numpy array of distinct steps (the same choice)."""
    if len(steps) <= limit:
        return steps
    if limit == 1:
        return steps[-1:]
    last = len(steps) - 1
    return _distinct(np, steps[np.round(np.arange(limit) * last / (limit - 1)).astype(int)])


def _distinct(np: Any, ordered: Any) -> Any:
    """The distinct values of a sorted array."""
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _numbers(np: Any, chunk: history_chunks.Chunk) -> tuple[Any, ...]:
    """A chunk's steps, timestamps and values as numpy arrays (views, no copies)."""
    return (
        np.frombuffer(chunk.steps, dtype=np.int64),
        np.frombuffer(chunk.timestamps, dtype=np.int64),
        np.frombuffer(chunk.values, dtype=np.float64),
    )


def _pick(np: Any, part: tuple[Any, ...], keep: Any) -> history_chunks.Chunk:
    """The points at the kept steps of a stretch of history sorted by step, as a chunk."""
    steps, timestamps, values = part
    # Each kept step is the range [left, right) of the sorted steps.
    left, right = np.searchsorted(steps, keep), np.searchsorted(steps, keep, "right")
    counts = right - left
    at = np.repeat(left - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())
    kept_steps = _as_array("q", steps[at])
    if not kept_steps:
        return history_chunks.Chunk(0, 0, kept_steps, array("q"), array("d"))
    return history_chunks.Chunk(
        kept_steps[0],
        kept_steps[-1],
        kept_steps,
        _as_array("q", timestamps[at]),
        _as_array("d", values[at]),
    )


def _as_array(code: str, values: Any) -> array[Any]:
    numbers = array(code)
    numbers.frombytes(values.tobytes())
    return numbers


def _rows_at(conn: Connection, run_id: str, key: str, steps: list[int]) -> list[Metric]:
    rows: list[Metric] = []
    for first in range(0, len(steps), _IN_BATCH):
        batch = steps[first : first + _IN_BATCH]
        query = driver.render(conn.dialect, _ROWS_AT_STEPS, len(batch))
        rows += [to_metric(key, *row) for row in driver.fetch(conn, query, (run_id, key, *batch))]
    return rows
