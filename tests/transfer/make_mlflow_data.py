"""Write a small but complete MLflow history with the real `mlflow` package (run in a child
process): experiments (one deleted), runs (finished, failed, deleted, nested), params, metric
histories with NaN/inf, tags, dataset inputs, artifacts, and a registry with versions, stages,
aliases and tags. Then it writes what the real `mlflow` client answers about it (see
snapshot.py) as JSON.
Usage: python make_mlflow_data.py TRACKING_URI SNAPSHOT_JSON"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

warnings.simplefilter("ignore")

import mlflow  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from snapshot import predictions, snapshot  # noqa: E402

MODEL_URIS = ["models:/doubler@champion", "models:/doubler/1", "models:/doubler/Production"]


class Doubler(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
    def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
        return model_input * 2


def main(uri: str, out: str) -> None:
    mlflow.set_tracking_uri(uri)
    client = MlflowClient()
    mlflow.set_experiment("vision")
    mlflow.set_experiment_tag("team", "cv")
    with mlflow.start_run(run_name="baseline") as parent:
        mlflow.log_params({"lr": 0.01, "layers": 3})
        for step in range(30):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
            mlflow.log_metric("acc", step / 30, step=step)
        mlflow.log_metric("weird", float("nan"), step=0)
        mlflow.log_metric("weird", float("inf"), step=1)
        mlflow.set_tags({"stage": "dev", "note": "ünïcode ✓"})
        frame = pd.DataFrame({"x": [1.0, 2.0], "y": [0.0, 1.0]})
        mlflow.log_input(mlflow.data.from_pandas(frame, name="train"), context="training")
        mlflow.log_text("hello", "notes/readme.txt")
        mlflow.log_dict({"a": 1}, "config/params.json")
        info = mlflow.pyfunc.log_model(
            name="model", python_model=Doubler(), pip_requirements=["mlflow"]
        )
        with mlflow.start_run(run_name="child", nested=True):
            mlflow.log_metric("loss", 0.5)
    with mlflow.start_run(run_name="broken"):
        mlflow.log_param("lr", 0.5)
        mlflow.end_run("FAILED")
    with mlflow.start_run(run_name="gone") as gone:
        mlflow.log_metric("loss", 9.0)
    client.delete_run(gone.info.run_id)
    old = client.create_experiment("old-stuff", tags={"k": "v"})
    client.create_run(old, run_name="in-old")
    client.delete_experiment(old)

    name = "doubler"
    client.create_registered_model(name, tags={"owner": "me"}, description="doubles things")
    v1 = client.create_model_version(
        name, info.model_uri, run_id=parent.info.run_id, model_id=info.model_id
    )
    v2 = client.create_model_version(
        name,
        info.model_uri,
        run_id=parent.info.run_id,
        model_id=info.model_id,
        tags={"quality": "good"},
        description="second",
    )
    v3 = client.create_model_version(
        name, info.model_uri, run_id=parent.info.run_id, model_id=info.model_id
    )
    client.delete_model_version(name, v3.version)
    client.transition_model_version_stage(name, v1.version, "Archived")
    client.transition_model_version_stage(name, v2.version, "Production")
    client.set_registered_model_alias(name, "champion", v2.version)
    found = snapshot(client, ViewType.ALL)
    found["predictions"] = predictions(mlflow.pyfunc, MODEL_URIS)
    Path(out).write_text(json.dumps(found, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
