"""Harness machinery of the web-UI workloads (no browser, no timing): their measure phase runs
in the harness's interpreter (Playwright's), their setup phase under the library."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.benchmarks.test_harness import fake_library, write_script

catalog: ModuleType = importlib.import_module("benchmarks.catalog")
harness: ModuleType = importlib.import_module("benchmarks.harness")
libs: ModuleType = importlib.import_module("benchmarks.libs")
report: ModuleType = importlib.import_module("benchmarks.report")

# Reports which interpreter ran each phase: the setup one is left in the state file.
WHERE_SCRIPT = """
import json, os, pathlib, sys
if os.environ.get("BENCH_PHASE") == "setup":
    pathlib.Path("bench_state.json").write_text(json.dumps({"python": sys.executable}))
    sys.exit(0)
setup = json.loads(pathlib.Path("bench_state.json").read_text())["python"]
ours = os.environ["HARNESS_PYTHON"]
print(json.dumps({"metric": "setup_by_library", "value": setup != ours, "unit": "n"}))
print(json.dumps({"metric": "measured_by_harness", "value": sys.executable == ours, "unit": "n"}))
"""


def test_browser_workload_measures_in_the_harness_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_library("mltrail", tmp_path)  # writes the stand-in server CLI, mltrail-cli
    # The library's own interpreter: the same Python under another name.
    own_python = tmp_path / "library-python"
    own_python.symlink_to(sys.executable)
    library = libs.Library("mltrail", own_python, tmp_path / "mltrail-cli", "test", False)
    workload = catalog.Workload(
        "ui_stand_in",
        9,
        "stand-in",
        str(write_script(tmp_path, WHERE_SCRIPT)),
        server=True,
        browser=True,
        setup="where",
        self_repeating=True,
    )
    monkeypatch.setenv("HARNESS_PYTHON", sys.executable)
    run = harness.Harness(
        [library], harness.Options(), log=lambda _: None, work_root=tmp_path / "work"
    )
    results = run.run([workload])
    assert not results.errors
    rows = {row.metric: row.values["mltrail"] for row in results.judge([workload])}
    assert rows == {"setup_by_library": [1.0], "measured_by_harness": [1.0]}


def test_ui_group_and_sizes_read_as_less() -> None:
    chosen = catalog.select(["ui"], False)
    assert [w.name for w in chosen] == ["ui_runs_table", "ui_chart"]
    assert all(w.browser and w.server and w.setup for w in chosen)
    assert chosen[0].environment(quick=False)["BENCH_RUNS"] == "10000"
    assert chosen[1].environment(quick=False)["BENCH_POINTS"] == "1000000"
    smaller = report.Row("w", "js_gzip", "kB", {"mltrail": [100.0], "mlflow": [2000.0]})
    assert report.format_ratio(smaller) == "20.0\N{MULTIPLICATION SIGN} less"
