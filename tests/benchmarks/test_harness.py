"""Smoke tests of the benchmark harness machinery (never of speed: no timed assertions).

Workloads here are tiny stand-in scripts run by this interpreter, and the "server" is a small
stand-in CLI serving `/health` on 127.0.0.1, so the tests need neither MLflow nor mltrail.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import httpx
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

catalog: ModuleType = importlib.import_module("benchmarks.catalog")
harness: ModuleType = importlib.import_module("benchmarks.harness")
libs: ModuleType = importlib.import_module("benchmarks.libs")
report: ModuleType = importlib.import_module("benchmarks.report")
runner: ModuleType = importlib.import_module("benchmarks.runner")
servers: ModuleType = importlib.import_module("benchmarks.servers")

# A workload that echoes its knobs back as measurements, with a setup phase that leaves state.
ECHO_SCRIPT = """
import json, os, pathlib, sys
print("noise a library might print")
if os.environ.get("BENCH_PHASE") == "setup":
    pathlib.Path("bench_state.json").write_text(json.dumps({"size": os.environ["BENCH_RUNS"]}))
    sys.exit(0)
state = json.loads(pathlib.Path("bench_state.json").read_text())
speed = {"mltrail": 40.0, "mlflow": 2.0}[os.environ["BENCH_LIB"]]
print(json.dumps({"metric": "rate", "value": speed, "unit": "calls/s", "n": state["size"]}))
print(json.dumps({"metric": "latency", "value": 100 / speed, "unit": "ms"}))
print(json.dumps({"metric": "uri", "value": len(os.environ["BENCH_TRACKING_URI"]), "unit": "n"}))
"""

FAILING_SCRIPT = "import sys; print('it broke', file=sys.stderr); sys.exit(3)"

# Stand-in for `<lib> server --host H --port P ...`: answers /health once started.
FAKE_SERVER = """#!{python}
import http.server, subprocess, sys
args = sys.argv[1:]
if {broken}:
    sys.exit("cannot start")
# A worker process, as real servers have: stopping the server must end it too.
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
port = int(args[args.index("--port") + 1])
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


def fake_library(name: str, tmp_path: Path, broken: bool = False) -> object:
    cli = tmp_path / f"{name}-cli"
    cli.write_text(FAKE_SERVER.format(python=sys.executable, broken=broken))
    cli.chmod(0o755)
    return libs.Library(name, Path(sys.executable), cli, "test", False)


def write_script(tmp_path: Path, text: str) -> Path:
    script = tmp_path / "workload.py"
    script.write_text(textwrap.dedent(text))
    return script


def echo_workload(script: Path, **fields: object) -> object:
    # An absolute script path wins over the catalog's workloads folder.
    return catalog.Workload(
        "echo",
        2,
        "stand-in",
        str(script),
        sizes=(("BENCH_RUNS", 100, 10), ("BENCH_QUERIES", 5, 2)),
        setup="echo",
        targets=(
            catalog.Target("rate", ">=", 30, "calls/s"),
            catalog.Target("latency", ">=", 10, on_ratio=True),
        ),
        **fields,
    )


def test_measurement_lines_are_parsed_and_noise_ignored() -> None:
    stdout = 'hello\n{"metric": "m", "value": 2, "unit": "s", "n": 5}\n{not json\n{"a": 1}\n'
    found = runner.parse_measurements(stdout)
    assert found == [runner.Measurement("m", 2.0, "s", {"n": 5})]


def test_script_environment_drops_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://elsewhere")
    monkeypatch.setenv("BENCH_RUNS", "7")
    env = runner.script_environment(libs.Library("mlflow", Path("p"), Path("c"), "v", True), {})
    assert "MLFLOW_TRACKING_URI" not in env
    assert "BENCH_RUNS" not in env
    assert env["BENCH_LIB"] == "mlflow"
    assert env["OMP_NUM_THREADS"] == "1"


def test_sizes_and_setup_keys_follow_quick_mode() -> None:
    search = next(w for w in catalog.WORKLOADS if w.name == "search_runs")
    server_search = next(w for w in catalog.WORKLOADS if w.name == "server_search_runs")
    assert search.environment(quick=False)["BENCH_RUNS"] == "10000"
    assert search.environment(quick=True)["BENCH_RUNS"] == "1000"
    assert search.setup_key(quick=False) != search.setup_key(quick=True)
    # The server search reuses the embedded search's populated store.
    assert server_search.setup_key(quick=False) == search.setup_key(quick=False)
    history = [w for w in catalog.WORKLOADS if w.setup == "history"]
    assert len({w.setup_key(quick=False) for w in history}) == 2


def test_selection_by_name_group_and_unknown() -> None:
    assert [w.name for w in catalog.select(["import"], False)] == ["import"]
    assert all(w.server for w in catalog.select(["server"], False))
    assert not catalog.select(["server"], True)
    assert {w.name for w in catalog.select([], False)} == {w.name for w in catalog.WORKLOADS}
    with pytest.raises(SystemExit, match="unknown workload"):
        catalog.select(["nope"], False)


def test_every_catalog_script_exists_and_targets_name_metrics() -> None:
    for workload in catalog.WORKLOADS:
        if workload.script_path is not None:
            assert workload.script_path.exists(), workload.name
    ratio = catalog.Target("import", ">=", 20, on_ratio=True)
    assert ratio.describe() == "≥ 20\N{MULTIPLICATION SIGN}"
    assert catalog.Target("import", "<=", 0.1, "s").describe() == "≤ 0.1 s"


def test_ratio_reads_faster_for_time_and_throughput() -> None:
    time_row = report.Row("w", "t", "ms", {"mltrail": [2.0], "mlflow": [10.0]})
    rate_row = report.Row("w", "r", "calls/s", {"mltrail": [500.0], "mlflow": [50.0, 40.0, 60.0]})
    assert time_row.ratio() == pytest.approx(5.0)
    assert rate_row.ratio() == pytest.approx(10.0)
    assert report.format_ratio(time_row) == "5.0\N{MULTIPLICATION SIGN} faster"
    slower = report.Row("w", "t", "s", {"mltrail": [4.0], "mlflow": [1.0]})
    assert report.format_ratio(slower) == "4.0\N{MULTIPLICATION SIGN} slower"
    assert report.Row("w", "t", "ms", {"mltrail": [2.0]}).ratio() is None


def test_harness_runs_setup_then_measures_both_libraries(tmp_path: Path) -> None:
    workload = echo_workload(write_script(tmp_path, ECHO_SCRIPT))
    libraries = [fake_library("mltrail", tmp_path), fake_library("mlflow", tmp_path)]
    options = harness.Options(quick=True, repeats=2)
    run = harness.Harness(libraries, options, log=lambda _: None, work_root=tmp_path / "work")
    results = run.run([workload])
    rows = {row.metric: row for row in results.judge([workload])}
    assert not results.errors
    assert rows["rate"].values == {"mltrail": [40.0, 40.0], "mlflow": [2.0, 2.0]}
    assert rows["rate"].details["mltrail"] == [{"n": "10"}, {"n": "10"}]  # quick size
    assert rows["rate"].status == "PASS"
    assert rows["latency"].status == "PASS"  # 2.5 ms vs 50 ms: 20x faster
    assert rows["uri"].status == "—"
    assert not (tmp_path / "work" / run.session.name).exists()  # working dirs are removed
    table = report.render_table(list(rows.values()))
    assert "40.0 calls/s" in table
    assert "20.0\N{MULTIPLICATION SIGN} faster" in table
    assert report.render_table(list(rows.values()), markdown=True).startswith("| workload |")


def test_failing_script_is_reported_with_its_stderr(tmp_path: Path) -> None:
    workload = catalog.Workload("broken", 2, "fails", str(write_script(tmp_path, FAILING_SCRIPT)))
    library = fake_library("mltrail", tmp_path)
    run = harness.Harness([library], harness.Options(), log=lambda _: None, work_root=tmp_path)
    results = run.run([workload])
    assert len(results.errors) == 1  # not retried after the first failure
    assert "exited 3" in results.errors[0]["error"]
    assert "it broke" in results.errors[0]["error"]
    assert results.judge([workload]) == []


def test_server_starts_answers_and_stops_with_its_children(tmp_path: Path) -> None:
    library = fake_library("mltrail", tmp_path)
    server = servers.start_server(library, tmp_path / "srv", tmp_path / "x.db", workers=1)
    try:
        assert httpx.get(f"{server.url}/health").status_code == 200
        assert server.url.startswith("http://127.0.0.1:")
        children = psutil.Process(server.process.pid).children(recursive=True)
        assert len(children) == 1
        assert server.rss_mb() > children[0].memory_info().rss / 2**20
        with servers.MemoryWatch(server) as watch:
            httpx.get(f"{server.url}/health")
        assert watch.peak_mb >= watch.baseline_mb > 1
    finally:
        server.stop()
    assert server.process.poll() is not None
    assert not children[0].is_running()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/health", timeout=1)


def test_server_that_cannot_start_is_unavailable(tmp_path: Path) -> None:
    library = fake_library("mltrail", tmp_path, broken=True)
    with pytest.raises(servers.ServerUnavailable, match="cannot start"):
        servers.start_server(library, tmp_path / "srv", tmp_path / "x.db", workers=1)


def test_unavailable_server_is_noted_once_and_later_workloads_skip(tmp_path: Path) -> None:
    library = fake_library("mltrail", tmp_path, broken=True)
    script = write_script(tmp_path, ECHO_SCRIPT)
    workloads = [
        catalog.Workload("server_start", 3, "start", None, server=True),
        catalog.Workload("other", 3, "other", str(script), server=True),
    ]
    run = harness.Harness([library], harness.Options(), log=lambda _: None, work_root=tmp_path)
    results = run.run(workloads)
    messages = [error["error"] for error in results.errors]
    assert messages[0].startswith("server not available: exited")
    assert messages[1] == "server not available (see server_start)"
    assert len(messages) == 2
