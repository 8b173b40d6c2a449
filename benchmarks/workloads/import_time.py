"""Cold `import <lib>` time, each sample in a fresh interpreter.

Two readings: `import` is timed inside the fresh interpreter around the import statement
alone; `import_process` is the wall time of `python -c "import <lib>"` minus that of
`python -c pass` (so it also counts the library's work at exit, but carries the noise of two
process start-ups). One untimed import first writes the bytecode caches, as any second use of
a library finds them. Medians of BENCH_IMPORT_REPEATS samples.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import _bench

LIB = os.environ["BENCH_LIB"]
TIMED_IMPORT = (
    f"import time; start = time.perf_counter(); import {LIB}; print(time.perf_counter() - start)"
)


def interpreter(code: str) -> tuple[float, str]:
    """Wall seconds of a fresh interpreter running `code`, and what it printed."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    repeats = _bench.env_int("BENCH_IMPORT_REPEATS")
    interpreter(f"import {LIB}")
    inside: list[float] = []
    with_import: list[float] = []
    bare: list[float] = []
    for _ in range(repeats):
        wall, printed = interpreter(TIMED_IMPORT)
        with_import.append(wall)
        inside.append(float(printed))
        bare.append(interpreter("pass")[0])
    process = max(statistics.median(with_import) - statistics.median(bare), 0.0)
    _bench.emit("import", statistics.median(inside), "s", repeats=repeats)
    _bench.emit("import_process", process, "s", repeats=repeats)


if __name__ == "__main__":
    main()
