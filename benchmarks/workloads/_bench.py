"""Helpers shared by the workload scripts: knobs from the environment, timing, output.

Workload scripts run under either library's interpreter, so this module uses the standard
library only. A measurement is one JSON line on stdout; diagnostics go to stderr.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")

STATE_FILE = "bench_state.json"


def library() -> ModuleType:
    """The library under test (`mltrail` or `mlflow`), imported by the name in BENCH_LIB."""
    return importlib.import_module(os.environ["BENCH_LIB"])


def submodule(name: str) -> ModuleType:
    """A submodule of the library under test, e.g. ``submodule("entities")``."""
    return importlib.import_module(f"{os.environ['BENCH_LIB']}.{name}")


def env_int(name: str) -> int:
    return int(os.environ[name])


def env_float(name: str) -> float:
    return float(os.environ[name])


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


def tracking_uri() -> str:
    return os.environ["BENCH_TRACKING_URI"]


def is_setup_phase() -> bool:
    """True when the harness asks the script to populate a store instead of measuring."""
    return os.environ.get("BENCH_PHASE") == "setup"


def emit(metric: str, value: float, unit: str, **extra: Any) -> None:
    """Report one measurement to the harness."""
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}), flush=True)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> NoReturn:
    """Stop with a message the harness shows: the workload's result is not trustworthy."""
    print(f"BENCH FAILURE: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def check(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def save_state(state: dict[str, Any]) -> None:
    """Leave what the measure phase needs (ids, sizes) next to the populated database."""
    Path(STATE_FILE).write_text(json.dumps(state))


def load_state() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(STATE_FILE).read_text())
    return loaded


def now_ms() -> int:
    return int(time.time() * 1000)


def time_call(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds one call takes, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    return statistics.median(time_call(fn)[0] for _ in range(repeats))
