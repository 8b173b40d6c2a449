"""Run one workload script under one library in a fresh subprocess and working directory.

Also builds (and, for a pinned baseline, caches) the populated stores that setup phases make,
and hands each measurement a private copy of one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.catalog import Workload
from benchmarks.libs import ROOT, Library

WORK_ROOT = ROOT / "benchmarks" / ".work"
CACHE_DIR = WORK_ROOT / "cache"
SCRIPT_TIMEOUT_S = 1800
# Building a store is untimed, so it may use memory-backed storage when the machine has it.
FAST_SCRATCH = Path("/dev/shm")


@dataclass(frozen=True)
class Measurement:
    metric: str
    value: float
    unit: str
    extra: dict[str, Any] = field(default_factory=dict)


class WorkloadFailed(Exception):
    """The script exited with an error or reported nothing."""


def script_environment(library: Library, extra: dict[str, str]) -> dict[str, str]:
    """The caller's environment without any MLflow/mltrail settings, plus the workload's knobs."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MLFLOW_", "MLTRAIL_", "BENCH_"))
    }
    # Telemetry off for both: a blocked network must not slow either side down.
    env.update(
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MLFLOW_DISABLE_TELEMETRY="true",
        DO_NOT_TRACK="true",
        PYTHONUNBUFFERED="1",
        BENCH_LIB=library.name,
    )
    env.update(library.env)
    env.update(extra)
    return env


def parse_measurements(stdout: str) -> list[Measurement]:
    """The JSON measurement lines of a script's output; other output is ignored."""
    found = []
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and {"metric", "value", "unit"} <= record.keys():
            metric, value, unit = record.pop("metric"), record.pop("value"), record.pop("unit")
            found.append(Measurement(str(metric), float(value), str(unit), record))
    return found


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_script(
    library: Library, script: Path, cwd: Path, env: dict[str, str], timeout: float | None = None
) -> list[Measurement]:
    """Run `script` with the library's interpreter in `cwd`; return what it measured."""
    cwd.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [str(library.python), str(script)],
            cwd=cwd,
            env=script_environment(library, env),
            capture_output=True,
            text=True,
            timeout=timeout or SCRIPT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        raise WorkloadFailed(f"{script.name} timed out after {expired.timeout:.0f} s") from None
    if done.returncode != 0:
        raise WorkloadFailed(f"{script.name} exited {done.returncode}:\n{_tail(done.stderr)}")
    measurements = parse_measurements(done.stdout)
    if not measurements and env.get("BENCH_PHASE") != "setup":
        raise WorkloadFailed(f"{script.name} reported nothing:\n{_tail(done.stderr)}")
    return measurements


def sqlite_uri(directory: Path, library: Library) -> str:
    return f"sqlite:///{directory / f'{library.name}.db'}"


def _scratch_dir() -> Path:
    base = FAST_SCRATCH if FAST_SCRATCH.is_dir() and os.access(FAST_SCRATCH, os.W_OK) else None
    if base is None:
        WORK_ROOT.mkdir(parents=True, exist_ok=True)
        base = WORK_ROOT
    return Path(tempfile.mkdtemp(prefix="bench-setup-", dir=base))


def build_setup(library: Library, workload: Workload, quick: bool, into: Path) -> None:
    """Run the workload's setup phase and leave the populated store in `into`."""
    assert workload.script_path is not None
    scratch = _scratch_dir()
    try:
        env = {
            **workload.environment(quick),
            "BENCH_PHASE": "setup",
            "BENCH_TRACKING_URI": sqlite_uri(scratch, library),
        }
        run_script(library, workload.script_path, scratch, env)
        shutil.rmtree(into, ignore_errors=True)
        shutil.copytree(scratch, into)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def prepared_store(library: Library, workload: Workload, quick: bool, session_dir: Path) -> Path:
    """A populated store for the workload: from the cache, this session, or built now."""
    key = workload.setup_key(quick)
    assert key is not None
    if library.cache_setups:
        location = CACHE_DIR / f"{library.name}-{library.version}-{key}"
    else:
        location = session_dir / "stores" / f"{library.name}-{key}"
    if not (location / "bench_state.json").exists():
        build_setup(library, workload, quick, location)
    return location


def copy_store(store: Path, cwd: Path) -> None:
    """Give one measurement its own copy, so no run sees another's writes."""
    shutil.copytree(store, cwd, dirs_exist_ok=True)
