"""The model scoring server (`<lib> models serve`) on one saved sklearn model.

Setup phase (run once, by MLflow when it is compared): train a LogisticRegression on iris
(shipped with scikit-learn), save it with a signature into ./model, and leave the request
bodies (dataframe_split JSON of 1 and of BENCH_BATCH_ROWS rows) and their expected predictions.

Measure phase, against the server the harness started on BENCH_SCORING_URL: sequential
keep-alive requests (one connection, stdlib client) for the 1-row and the many-row body, p50 and
p99 of each; then BENCH_CLIENTS concurrent clients posting the 1-row body for BENCH_SECONDS
(`wrk` when installed, else threads). Every answer is checked against the expected predictions,
so serving MLflow's saved model from mltrail is also an interoperability check.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import _bench
from http_load import WARMUP_S, run_wrk_script

MODEL_DIR = "model"
ONE_ROW, MANY_ROWS = "one_row.json", "many_rows.json"
HEADERS = {"Content-Type": "application/json"}
WARMUP_REQUESTS = 20
SEED = 7


def save_model(rows: int) -> None:
    """Train and save the model and the request bodies (setup phase, any library)."""
    import numpy as np
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    flavor, models = _bench.submodule("sklearn"), _bench.submodule("models")
    iris = load_iris(as_frame=True)
    features, labels = iris.data, iris.target
    model = LogisticRegression(max_iter=1000).fit(features, labels)
    signature = models.infer_signature(features, model.predict(features))
    flavor.save_model(model, MODEL_DIR, signature=signature, input_example=features.head(2))

    # Many rows: iris rows with a little noise, so the answers are not all the same.
    rng = np.random.default_rng(SEED)
    picked = features.sample(n=rows, replace=True, random_state=SEED).reset_index(drop=True)
    many = picked + rng.normal(0, 0.05, size=picked.shape).round(3)
    bodies = {ONE_ROW: features.iloc[[0]], MANY_ROWS: many}
    expected = {}
    for name, frame in bodies.items():
        split = {"columns": list(frame.columns), "data": frame.to_numpy().tolist()}
        Path(name).write_text(json.dumps({"dataframe_split": split}))
        expected[name] = model.predict(frame).tolist()
    _bench.save_state({"expected": expected, "rows": rows})


class Client:
    """One keep-alive connection posting JSON bodies, checking every answer."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None
        assert parts.port is not None
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.connection.connect()
        assert self.connection.sock is not None
        self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def post(self, body: bytes) -> bytes:
        self.connection.request("POST", "/invocations", body, HEADERS)
        answer = self.connection.getresponse()
        content = answer.read()
        _bench.check(answer.status == 200, f"/invocations answered {answer.status}: {content!r}")
        return content

    def close(self) -> None:
        self.connection.close()


def check_predictions(content: bytes, expected: list[Any], name: str) -> None:
    got = json.loads(content).get("predictions")
    _bench.check(got == expected, f"{name}: predictions differ from the model's own")


def latencies(client: Client, body: bytes, requests: int, budget_s: float) -> list[float]:
    """Seconds per sequential request (stops early when the time budget is spent)."""
    for _ in range(WARMUP_REQUESTS):
        client.post(body)
    found: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(found) < requests and time.perf_counter() < deadline:
        start = time.perf_counter()
        client.post(body)
        found.append(time.perf_counter() - start)
    return found


def percentile_ms(samples: list[float], percent: int) -> float:
    if len(samples) < 2:
        return samples[0] * 1000
    return statistics.quantiles(samples, n=100)[percent - 1] * 1000


def wrk_lua(body: bytes) -> str:
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{body.decode()}]==]\n"
    )


def threads_load(url: str, body: bytes, clients: int, seconds: int) -> dict[str, float]:
    """The fallback without wrk: `clients` keep-alive connections in threads."""
    counts, errors = [0] * clients, [0] * clients

    def client(index: int, deadline: float) -> None:
        connection = Client(url)
        try:
            while time.perf_counter() < deadline:
                connection.connection.request("POST", "/invocations", body, HEADERS)
                answer = connection.connection.getresponse()
                answer.read()
                counts[index] += 1
                errors[index] += answer.status != 200
        finally:
            connection.close()

    def wave(duration: float) -> float:
        deadline = time.perf_counter() + duration
        workers = [threading.Thread(target=client, args=(i, deadline)) for i in range(clients)]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return time.perf_counter() - start

    wave(WARMUP_S)
    counts[:], errors[:] = [0] * clients, [0] * clients
    elapsed = wave(seconds)
    return {"ok_per_s": (sum(counts) - sum(errors)) / elapsed, "errors": sum(errors)}


def measure() -> None:
    url = os.environ["BENCH_SCORING_URL"].rstrip("/")
    _bench.check(url.startswith("http://127.0.0.1:"), "load is only ever sent to 127.0.0.1")
    expected = _bench.load_state()["expected"]
    one, many = Path(ONE_ROW).read_bytes(), Path(MANY_ROWS).read_bytes()
    budget = _bench.env_float("BENCH_BUDGET_S")

    client = Client(url)
    check_predictions(client.post(one), expected[ONE_ROW], "1 row")
    check_predictions(client.post(many), expected[MANY_ROWS], f"{len(expected[MANY_ROWS])} rows")
    single = latencies(client, one, _bench.env_int("BENCH_REQUESTS"), budget)
    batch = latencies(client, many, _bench.env_int("BENCH_BATCH_REQUESTS"), budget)
    client.close()
    rows = len(expected[MANY_ROWS])
    _bench.emit("latency_1_row", percentile_ms(single, 50), "ms", requests=len(single))
    _bench.emit("latency_1_row_p99", percentile_ms(single, 99), "ms", requests=len(single))
    _bench.emit(f"latency_{rows}_rows", percentile_ms(batch, 50), "ms", requests=len(batch))
    _bench.emit(f"latency_{rows}_rows_p99", percentile_ms(batch, 99), "ms", requests=len(batch))

    clients, seconds = _bench.env_int("BENCH_CLIENTS"), _bench.env_int("BENCH_SECONDS")
    wrk = shutil.which("wrk")
    if wrk:
        load = run_wrk_script(wrk, url + "/invocations", wrk_lua(one), clients, seconds)
    else:
        load = threads_load(url, one, clients, seconds)
    _bench.check(load["errors"] == 0, f"{load['errors']:.0f} requests failed under load")
    extra = {"tool": "wrk" if wrk else "threads", "clients": clients}
    _bench.emit("throughput_1_row", load["ok_per_s"], "req/s", **extra)


def main() -> None:
    if _bench.is_setup_phase():
        save_model(_bench.env_int("BENCH_BATCH_ROWS"))
    else:
        measure()


if __name__ == "__main__":
    main()
