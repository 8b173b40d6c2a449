"""Test data for the browser tests.

`seed_bulk` writes 10,000 runs straight into the SQLite store's tables (one transaction: the
table-scroll test needs them, and logging them one request at a time would take a minute).
`seed_demo` logs a small experiment through the REST API, as any client would.
"""

from __future__ import annotations

import json
import math
import os
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert

from mltrail.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag
from mltrail.store.tracking.sql import schema
from mltrail.store.uri import tracking_store_for
from mltrail.tracking import MlflowClient

BULK_RUNS = 10_000
BULK_METRICS = 5
LONG_POINTS = 100_000
T0 = 1_700_000_000_000


def seed_bulk(db_uri: str) -> str:
    """An experiment "ten-thousand" with BULK_RUNS finished runs; returns its id."""
    store = tracking_store_for(db_uri, artifact_root="mlflow-artifacts:/")
    try:
        experiment_id = store.create_experiment("ten-thousand")
        artifact_root = store.get_experiment(experiment_id).artifact_location
    finally:
        store.close()  # type: ignore[attr-defined]  # the SQL store holds an engine
    runs: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    params: list[dict[str, Any]] = []
    metrics: list[dict[str, Any]] = []
    for i in range(BULK_RUNS):
        run_id = uuid.uuid4().hex
        name = f"bulk-{i:05d}"
        start = T0 + i * 1000
        runs.append(
            {
                "run_id": run_id,
                "experiment_id": int(experiment_id),
                "name": name,
                "user_id": "bulk",
                "status": "FINISHED",
                "start_time": start,
                "end_time": start + 60_000 + i,
                "lifecycle_stage": "active",
                "artifact_uri": f"{artifact_root}/{run_id}/artifacts",
            }
        )
        tags.append({"run_id": run_id, "key": "mlflow.runName", "value": name})
        params += [
            {"run_id": run_id, "key": "index", "value": str(i)},
            {"run_id": run_id, "key": "group", "value": "even" if i % 2 == 0 else "odd"},
        ]
        for k in range(BULK_METRICS):
            # score = i / BULK_RUNS: a known order to sort by.
            value = i / BULK_RUNS if k == 0 else math.sin(i + k)
            metrics.append(
                {
                    "run_id": run_id,
                    "key": "score" if k == 0 else f"m{k}",
                    "step": 0,
                    "timestamp": start,
                    "value": value,
                    "is_nan": False,
                }
            )
    engine = create_engine(db_uri)
    try:
        with engine.begin() as conn:
            conn.execute(insert(schema.runs), runs)
            conn.execute(insert(schema.run_tags), tags)
            conn.execute(insert(schema.params), params)
            conn.execute(insert(schema.metrics), metrics)
            conn.execute(insert(schema.latest_metrics), metrics)
    finally:
        engine.dispose()
    return experiment_id


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A tiny valid RGB PNG (a red/blue gradient), without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((255 * x // width, 0, 255 * y // height)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


MLMODEL = """artifact_path: model
flavors:
  python_function:
    loader_module: mltrail.sklearn
    python_version: 3.11.7
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.5.2
model_uuid: 5d1a2b3c
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
saved_input_example_info:
  artifact_path: input_example.json
  type: dataframe
"""


def write_artifacts(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plot.png").write_bytes(png_bytes())
    (folder / "train.log").write_text("epoch 1 loss=0.9\nepoch 2 loss=0.5\n")
    (folder / "config.json").write_text(json.dumps({"optimizer": "adam", "layers": [64, 32]}))
    (folder / "predictions.csv").write_text('id,label,note\n1,cat,"fluffy, small"\n2,dog,big\n')
    model = folder / "model"
    model.mkdir(exist_ok=True)
    (model / "MLmodel").write_text(MLMODEL)
    (model / "input_example.json").write_text(
        json.dumps({"columns": ["sepal_length"], "data": [[5.1]]})
    )
    (folder / "page.html").write_text("<h1>report</h1><script>document.title='pwned'</script>")
    return folder


def seed_demo(tracking_uri: str, workdir: Path) -> dict[str, str]:
    """Experiment "ui-demo" logged over REST: three runs (one with two children), param and
    metric histories, tags, a description and artifacts. Returns names -> ids."""
    client = MlflowClient(tracking_uri=tracking_uri)
    experiment_id = client.create_experiment("ui-demo")
    ids = {"experiment": experiment_id}
    for index, (name, lr) in enumerate((("alpha", 0.1), ("beta", 0.01), ("gamma", 0.001))):
        run = client.create_run(experiment_id, run_name=name, start_time=T0 + index * 10_000)
        run_id = run.info.run_id
        ids[name] = run_id
        history = [
            Metric("loss", 1.0 / (1 + step * lr * 10) + index, T0 + step * 1000, step)
            for step in range(50)
        ]
        client.log_batch(
            run_id,
            metrics=history,
            params=[Param("lr", str(lr)), Param("optimizer", "adam" if index < 2 else "sgd")],
            tags=[RunTag("team", "vision")],
        )
        client.set_terminated(run_id, end_time=T0 + index * 10_000 + 65_000)
    for child in ("alpha-fold-1", "alpha-fold-2"):
        run = client.create_run(
            experiment_id, run_name=child, tags={"mlflow.parentRunId": ids["alpha"]}
        )
        ids[child] = run.info.run_id
        client.log_metric(run.info.run_id, "loss", 0.5)
        client.set_terminated(run.info.run_id)
    client.set_tag(ids["alpha"], "mlflow.note.content", "# Alpha\n\nThe **baseline** run.")
    cpu = [
        Metric("system/cpu_utilization_percentage", 20.0 + s, T0 + s * 10_000, s) for s in range(6)
    ]
    client.log_batch(ids["alpha"], metrics=cpu)
    iris = Dataset("iris", "d1g35t", "local", '{"uri": "/data/iris.csv"}')
    client.log_inputs(
        ids["alpha"], [DatasetInput(iris, (InputTag("mlflow.data.context", "train"),))]
    )
    # The artifact repository for `mlflow-artifacts:` URIs reads the process's tracking URI,
    # not the client's, so point it at the server while uploading.
    previous = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = tracking_uri
    try:
        client.log_artifacts(ids["alpha"], str(write_artifacts(workdir / "artifacts")))
    finally:
        if previous is None:
            del os.environ["MLFLOW_TRACKING_URI"]
        else:
            os.environ["MLFLOW_TRACKING_URI"] = previous
    return ids


def seed_long_metric(db_uri: str, experiment_name: str = "long-metric") -> str:
    """One run with a LONG_POINTS-point metric, logged in large batches through the store."""
    store = tracking_store_for(db_uri, artifact_root="mlflow-artifacts:/")
    try:
        experiment_id = store.create_experiment(experiment_name)
        run = store.create_run(experiment_id, "long", T0, [], "long-run")
        run_id = run.info.run_id
        batch = 1000  # the store's per-batch limit
        for first in range(0, LONG_POINTS, batch):
            points = [
                Metric("wave", math.sin(step / 500) + step / LONG_POINTS, T0 + step, step)
                for step in range(first, first + batch)
            ]
            store.log_batch(run_id, metrics=points, params=[], tags=[])
        store.update_run_info(run_id, "FINISHED", T0 + LONG_POINTS, None)
        return run_id
    finally:
        store.close()  # type: ignore[attr-defined]  # the SQL store holds an engine


REGISTRY_MODEL = "iris-classifier"
REGISTRY_ODD_NAME = "fraud team/detector v2"


def seed_registry(tracking_uri: str, ids: dict[str, str]) -> None:
    """Registered models over REST, from `seed_demo`'s runs: "iris-classifier" with versions
    1 (Archived), 2 (Production, @champion) and 3 (Staging, @challenger) made from alpha's
    logged model; a model whose name holds a space and a slash; and one with no versions."""
    client = MlflowClient(tracking_uri=tracking_uri)
    client.create_registered_model(
        "aardvark-baseline", tags={"team": "tabular"}, description="Kept for comparison."
    )
    client.create_registered_model(REGISTRY_ODD_NAME, tags={"team": "risk"})
    client.create_model_version(REGISTRY_ODD_NAME, f"runs:/{ids['beta']}/model", ids["beta"])
    client.create_registered_model(
        REGISTRY_MODEL,
        tags={"team": "vision", "task": "classification"},
        description="Classifies **iris** flowers.\n\n- trained on `iris`\n- sklearn",
    )
    for _ in range(3):
        client.create_model_version(REGISTRY_MODEL, f"runs:/{ids['alpha']}/model", ids["alpha"])
    for version, stage in (("1", "Archived"), ("2", "Production"), ("3", "Staging")):
        client.transition_model_version_stage(REGISTRY_MODEL, version, stage)
    client.set_registered_model_alias(REGISTRY_MODEL, "champion", "2")
    client.set_registered_model_alias(REGISTRY_MODEL, "challenger", "3")
    client.update_model_version(REGISTRY_MODEL, "2", "Best F1 on the holdout set.")
    client.set_model_version_tag(REGISTRY_MODEL, "2", "validated", "yes")
