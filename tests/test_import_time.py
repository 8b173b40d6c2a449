"""`import mltrail` is quick and loads no heavy library; reaching the fluent API does not
load pandas, numpy or SQLAlchemy either (they load when a store or DataFrame is needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "sqlalchemy", "alembic", "httpx", "matplotlib", "PIL", "yaml")
PROBE = f"""
import json, sys, time
start = time.perf_counter()
import mltrail
seconds = time.perf_counter() - start
after_import = sorted(m for m in {HEAVY} if m in sys.modules)
mltrail.log_metric, mltrail.start_run, mltrail.MlflowClient, mltrail.search_runs
after_fluent = sorted(m for m in {HEAVY} if m in sys.modules)
print(json.dumps({{"seconds": seconds, "import": after_import, "fluent": after_fluent}}))
"""


def _probe() -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_import_is_fast_and_light() -> None:
    result = _probe()
    assert result["import"] == []
    assert result["fluent"] == []
    assert isinstance(result["seconds"], float)
    assert result["seconds"] < 0.1
