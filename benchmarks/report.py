"""Collect measurements, reduce repeats to medians, compare the libraries and print the table.

The ratio always reads "N times faster" (or "N times less" for memory): MLflow's time over
mltrail's, or mltrail's throughput over MLflow's. A row passes when all its targets are met.
"""

from __future__ import annotations

import json
import platform
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.catalog import TIMES, Workload
from benchmarks.runner import Measurement

SUBJECT, BASELINE = "mltrail", "mlflow"
# Units of size: their ratio reads "less" / "more" rather than "faster" / "slower".
SIZE_UNITS = {"MB", "kB"}


def higher_is_better(unit: str) -> bool:
    return unit.endswith("/s")


@dataclass
class Row:
    workload: str
    metric: str
    unit: str
    values: dict[str, list[float]] = field(default_factory=dict)
    # What the scripts reported beside each value (counts, p50, tool), same order as values.
    details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)
    status: str = "—"

    def median(self, library: str) -> float | None:
        samples = self.values.get(library)
        return statistics.median(samples) if samples else None

    def ratio(self) -> float | None:
        """How many times better mltrail is than MLflow on this row."""
        ours, theirs = self.median(SUBJECT), self.median(BASELINE)
        if ours is None or theirs is None or min(ours, theirs) <= 0:
            return None
        return ours / theirs if higher_is_better(self.unit) else theirs / ours


@dataclass
class Results:
    rows: dict[tuple[str, str], Row] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, workload: Workload, library: str, measurements: list[Measurement]) -> None:
        for item in measurements:
            row = self.rows.setdefault(
                (workload.name, item.metric), Row(workload.name, item.metric, item.unit)
            )
            row.values.setdefault(library, []).append(item.value)
            row.details.setdefault(library, []).append(item.extra)

    def fail(self, workload: Workload, library: str, message: str) -> None:
        self.errors.append({"workload": workload.name, "library": library, "error": message})

    def judge(self, workloads: list[Workload]) -> list[Row]:
        """Rows in catalog order, each with its targets described and checked."""
        ordered: list[Row] = []
        for workload in workloads:
            for (name, _), row in self.rows.items():
                if name == workload.name:
                    _judge_row(row, workload)
                    ordered.append(row)
        return ordered


def _judge_row(row: Row, workload: Workload) -> None:
    targets = [t for t in workload.targets if t.metric == row.metric]
    row.targets = [t.describe() for t in targets]
    if not targets:
        row.status = "—"
        return
    ours, ratio = row.median(SUBJECT), row.ratio()
    checks = [
        (ratio if target.on_ratio else ours, target)
        for target in targets
        if not (target.on_ratio and row.median(BASELINE) is None)
    ]
    # With no baseline, a row whose only targets are ratios has nothing to judge.
    if ours is None or not checks or any(value is None for value, _ in checks):
        row.status = "n/a"
        return
    row.status = "PASS" if all(t.met(v) for v, t in checks if v is not None) else "MISS"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s" and value < 1:
        return f"{value * 1000:.1f} ms"
    if abs(value) >= 1000:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}" if abs(value) < 10 else f"{value:.1f} {unit}"


def format_ratio(row: Row) -> str:
    ratio = row.ratio()
    if ratio is None:
        return "—"
    better, worse = ("less", "more") if row.unit in SIZE_UNITS else ("faster", "slower")
    # Below 1 the honest reading is the inverse: "2.0x slower", not "0.5x faster".
    factor, word = (ratio, better) if ratio >= 1 else (1 / ratio, worse)
    shown = f"{factor:.1f}" if factor < 100 else f"{factor:,.0f}"
    return f"{shown}{TIMES} {word}"


HEADERS = ["workload", "metric", SUBJECT, BASELINE, "ratio", "target", "status"]


def table_cells(rows: list[Row]) -> list[list[str]]:
    return [
        [
            row.workload,
            row.metric,
            format_value(row.median(SUBJECT), row.unit),
            format_value(row.median(BASELINE), row.unit),
            format_ratio(row),
            ", ".join(row.targets) or "—",
            row.status,
        ]
        for row in rows
    ]


def render_table(rows: list[Row], markdown: bool = False) -> str:
    cells = table_cells(rows)
    if markdown:
        header = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        return "\n".join(header + ["| " + " | ".join(line) + " |" for line in cells])
    widths = [max(len(text) for text in column) for column in zip(HEADERS, *cells, strict=True)]
    lines = [HEADERS, ["-" * width for width in widths], *cells]
    return "\n".join(
        "  ".join(t.ljust(w) for t, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def machine_summary() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
    }


def write_json(path: Path, rows: list[Row], results: Results, context: dict[str, Any]) -> None:
    payload = {
        **context,
        "machine": machine_summary(),
        "rows": [
            {
                **asdict(row),
                SUBJECT: row.median(SUBJECT),
                BASELINE: row.median(BASELINE),
                "ratio": row.ratio(),
            }
            for row in rows
        ],
        "errors": results.errors,
        "notes": results.notes,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")


def read_json(path: Path) -> list[Row]:
    """Rows saved by `write_json`, to render again (e.g. as Markdown for the README)."""
    saved = json.loads(path.read_text())
    fields = ("workload", "metric", "unit", "values", "details", "targets", "status")
    return [Row(**{name: row[name] for name in fields if name in row}) for row in saved["rows"]]
