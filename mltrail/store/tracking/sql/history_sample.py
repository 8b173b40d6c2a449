"""A metric's history thinned to at most N steps spread evenly over a step range.

Charts of long metrics ask for a few hundred points of a history that may hold millions. The
steps are read as plain integers (packed chunks decode to arrays at C speed), the kept steps are
chosen, and only their points become `Metric`s: the cost follows what is returned, not the
length of the history.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
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
    chunks = history_chunks.read(conn, run_id, key)
    query = driver.render(conn.dialect, _ROW_STEPS)
    row_steps = {step for (step,) in driver.fetch(conn, query, (run_id, key, low, high))}
    every = np.concatenate(
        [np.frombuffer(chunk.steps, dtype=np.int64) for chunk in chunks]
        + [np.fromiter(row_steps, dtype=np.int64, count=len(row_steps))]
    )
    steps = _distinct_sorted(np, every[(every >= low) & (every <= high)])
    keep = _spread(np, steps, limit)
    kept_chunks = [_only(np, chunk, keep) for chunk in chunks]
    at_rows = sorted(row_steps.intersection(keep.tolist()))
    rows = _rows_at(conn, run_id, key, at_rows)
    return history_chunks.merge(key, [c for c in kept_chunks if c.steps], rows, 0, None)


def _spread(np: Any, steps: Any, limit: int) -> Any:
    """`spread_steps` over a sorted numpy array of distinct steps (the same choice)."""
    if len(steps) <= limit:
        return steps
    if limit == 1:
        return steps[-1:]
    last = len(steps) - 1
    return _distinct_sorted(np, steps[np.round(np.arange(limit) * last / (limit - 1)).astype(int)])


def _distinct_sorted(np: Any, steps: Any) -> Any:
    # By sorting: numpy's hash-based `unique` is several times slower on millions of integers.
    ordered = np.sort(steps)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _only(np: Any, chunk: history_chunks.Chunk, keep: Any) -> history_chunks.Chunk:
    """The chunk's points at the kept steps."""
    steps = np.frombuffer(chunk.steps, dtype=np.int64)
    slots = np.minimum(np.searchsorted(keep, steps), len(keep) - 1)  # `keep` is sorted
    at = np.nonzero(keep[slots] == steps)[0] if len(keep) else np.empty(0, dtype=np.int64)
    if not len(at):
        return chunk._replace(steps=array("q"))
    picked = [
        _as_array(code, np.frombuffer(numbers, dtype=dtype)[at])
        for code, dtype, numbers in (
            ("q", np.int64, chunk.steps),
            ("q", np.int64, chunk.timestamps),
            ("d", np.float64, chunk.values),
        )
    ]
    return history_chunks.Chunk(int(picked[0][0]), int(picked[0][-1]), *picked)


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
