"""How commands print: JSON documents, plain-text tables, timestamps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import click


def echo_json(document: Any, indent: int = 2) -> None:
    click.echo(json.dumps(document, indent=indent))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A left-aligned table with a dashed rule under the headers."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    click.echo(line(headers))
    click.echo(line(["-" * w for w in widths]))
    for row in cells:
        click.echo(line(row))


def utc_time(ms: int | None, *, milliseconds: bool = False) -> str:
    """An epoch-millisecond timestamp as UTC text ("" when unknown)."""
    if ms is None:
        return ""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if milliseconds:
        return moment.isoformat(sep=" ", timespec="milliseconds")
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
