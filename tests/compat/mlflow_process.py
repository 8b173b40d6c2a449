"""Running the official mlflow in a fresh interpreter: a model loaded there never shares a
process with mltrail (nor with mlflow's own globals of this test run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_script(script: str, args: list[str], cwd: Path) -> Any:
    """Run `script` with `args` under this interpreter, without the caller's MLFLOW_/MLTRAIL_
    settings, and return the JSON it printed on a line starting with RESULT."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = next(line for line in done.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(result[len("RESULT") :])
