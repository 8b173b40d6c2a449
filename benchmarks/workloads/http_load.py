"""BENCH_CLIENTS concurrent raw HTTP clients posting `runs/log-metric` for BENCH_SECONDS.

Library-agnostic: it speaks the REST wire API directly (the same bytes to either server) with
`wrk` when installed, else with keep-alive httpx clients in threads. Reports successful
requests per second and the 99th-percentile latency; only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import threading
import time
import uuid
from pathlib import Path

import _bench
import httpx

PATH = "/api/2.0/mlflow/runs/log-metric"
WARMUP_S = 1

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local sent = 0
function request()
  sent = sent + 1
  -- distinct steps per thread so no two requests log the same point
  local body = string.format(
    '{"run_id":"RUN_ID","key":"load","value":%d,"timestamp":STAMP,"step":%d}',
    sent, tid * 100000000 + sent)
  return wrk.format(nil, "PATH", nil, body)
end
"""

# Appended to every load script: one summary line the harness parses.
WRK_SUMMARY = """
function done(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def create_run(base: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as http:
        name = f"bench-http-load-{uuid.uuid4().hex[:8]}"
        created = http.post("/api/2.0/mlflow/experiments/create", json={"name": name})
        created.raise_for_status()
        body = {"experiment_id": created.json()["experiment_id"], "start_time": _bench.now_ms()}
        run = http.post("/api/2.0/mlflow/runs/create", json=body)
        run.raise_for_status()
        run_id: str = run.json()["run"]["info"]["run_id"]
        return run_id


def run_wrk(wrk: str, base: str, run_id: str, clients: int, seconds: int) -> dict[str, float]:
    lua = WRK_SCRIPT.replace("RUN_ID", run_id).replace("STAMP", str(_bench.now_ms()))
    return run_wrk_script(wrk, base + PATH, lua.replace("PATH", PATH), clients, seconds)


def run_wrk_script(wrk: str, url: str, lua: str, clients: int, seconds: int) -> dict[str, float]:
    """`wrk` with the Lua request script `lua` on `url`: a warm-up, then the measured run."""
    script = Path("load.lua")
    script.write_text(lua + WRK_SUMMARY)
    threads = str(min(2, clients))

    def wrk_run(duration: int) -> str:
        command = [wrk, "-t", threads, "-c", str(clients), "-d", f"{duration}s", "--timeout", "5s"]
        done = subprocess.run(
            [*command, "-s", str(script), url], capture_output=True, text=True, check=True
        )
        return done.stdout

    wrk_run(WARMUP_S)
    found = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+)$", wrk_run(seconds), re.MULTILINE)
    _bench.check(found is not None, "wrk printed no summary")
    assert found is not None
    requests, duration_us, errors, p50_us, p99_us = (int(group) for group in found.groups())
    return {
        "ok_per_s": (requests - errors) / (duration_us / 1e6),
        "errors": errors,
        "p50_ms": p50_us / 1000,
        "p99_ms": p99_us / 1000,
    }


def run_threads(base: str, run_id: str, clients: int, seconds: int) -> dict[str, float]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stamp = _bench.now_ms()

    def client(index: int, deadline: float, record: bool) -> None:
        with httpx.Client(base_url=base, timeout=5) as http:
            sent = 0
            while time.perf_counter() < deadline:
                sent += 1
                body = {"run_id": run_id, "key": "load", "value": sent, "timestamp": stamp}
                body["step"] = (index + 1) * 100_000_000 + sent + (0 if record else 50_000_000)
                start = time.perf_counter()
                answer = http.post(PATH, json=body)
                if record:
                    latencies[index].append(time.perf_counter() - start)
                    errors[index] += answer.status_code != 200

    def wave(duration: float, record: bool) -> float:
        deadline = time.perf_counter() + duration
        workers = [
            threading.Thread(target=client, args=(i, deadline, record)) for i in range(clients)
        ]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return time.perf_counter() - start

    wave(WARMUP_S, record=False)
    elapsed = wave(seconds, record=True)
    every = sorted(latency for per_client in latencies for latency in per_client)
    percentiles = statistics.quantiles(every, n=100)
    return {
        "ok_per_s": (len(every) - sum(errors)) / elapsed,
        "errors": sum(errors),
        "p50_ms": percentiles[49] * 1000,
        "p99_ms": percentiles[98] * 1000,
    }


def main() -> None:
    base = _bench.tracking_uri().rstrip("/")
    _bench.check(base.startswith("http://127.0.0.1:"), "load is only ever sent to 127.0.0.1")
    clients, seconds = _bench.env_int("BENCH_CLIENTS"), _bench.env_int("BENCH_SECONDS")
    run_id = create_run(base)
    wrk = shutil.which("wrk")
    if wrk:
        result = run_wrk(wrk, base, run_id, clients, seconds)
    else:
        result = run_threads(base, run_id, clients, seconds)
    tool = "wrk" if wrk else "httpx"
    extra = {"tool": tool, "clients": clients, "errors": result["errors"]}
    _bench.emit("http_log_metric", result["ok_per_s"], "req/s", **extra)
    _bench.emit("http_log_metric_p99", result["p99_ms"], "ms", p50_ms=result["p50_ms"], tool=tool)


if __name__ == "__main__":
    main()
