"""Everything a tracking store answers about its history, as plain JSON-able data.

Written against MLflow's client API only, so the same function reads a store through the real
`mlflow` package (the oracle, in the child process that wrote the data) and through mltrail
after an import; the tests compare the two field by field. Ids the copy may change
(experiment ids, artifact locations) are left out; run ids are kept.
"""

from __future__ import annotations

from typing import Any

PROBE = [[1.0], [2.5]]
SEARCHES = [
    ("metrics.loss < 0.5", ["metrics.loss ASC"]),
    ("params.lr = '0.01'", ["start_time DESC"]),
    ("attributes.status = 'FAILED'", []),
    ("", ["attributes.run_name ASC"]),
]


def _files(client: Any, run_id: str, path: str | None = None) -> list[list[Any]]:
    found: list[list[Any]] = []
    for item in client.list_artifacts(run_id, path):
        if item.is_dir:
            found += _files(client, run_id, item.path)
        else:
            found.append([item.path, item.file_size])
    return sorted(found)


def _run(client: Any, run: Any, experiment_names: dict[str, str]) -> dict[str, Any]:
    info = run.info
    metrics = {
        key: [[m.step, m.timestamp, m.value] for m in client.get_metric_history(info.run_id, key)]
        for key in sorted(run.data.metrics)
    }
    inputs = [
        [d.dataset.name, d.dataset.digest, d.dataset.source_type, d.dataset.source,
         d.dataset.schema, d.dataset.profile, sorted((t.key, t.value) for t in d.tags)]
        for d in run.inputs.dataset_inputs
    ]  # fmt: skip
    return {
        "experiment": experiment_names[info.experiment_id],
        "run_name": info.run_name,
        "user_id": info.user_id,
        "status": info.status,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "lifecycle_stage": info.lifecycle_stage,
        "params": dict(run.data.params),
        "tags": dict(run.data.tags),
        "latest": dict(sorted(run.data.metrics.items())),
        "metrics": metrics,
        "inputs": sorted(inputs, key=repr),
        "artifacts": _files(client, info.run_id),
    }


def snapshot(client: Any, view_all: int) -> dict[str, Any]:
    experiments = client.search_experiments(view_type=view_all)
    names = {e.experiment_id: e.name for e in experiments}
    runs = client.search_runs(list(names), run_view_type=view_all, max_results=1000)
    active = [e.experiment_id for e in experiments if e.lifecycle_stage == "active"]
    searches = [
        [
            [r.info.run_id for r in client.search_runs(active, f, order_by=o, max_results=100)]
            for f, o in SEARCHES
        ]
    ]
    registry: dict[str, Any] = {}
    for model in client.search_registered_models():
        versions = client.search_model_versions(f"name = '{model.name}'")
        full = client.get_registered_model(model.name)
        registry[model.name] = {
            "description": full.description,
            "tags": dict(full.tags),
            "aliases": dict(full.aliases),
            "versions": {
                v.version: {
                    "stage": v.current_stage,
                    "description": v.description,
                    "tags": dict(client.get_model_version(model.name, v.version).tags),
                    "run_id": v.run_id,
                    "status": v.status,
                }
                for v in versions
            },
        }
    return {
        "experiments": {
            e.name: {
                "lifecycle_stage": e.lifecycle_stage,
                "tags": {k: v for k, v in e.tags.items() if not k.startswith("mlflow.")},
                "creation_time": e.creation_time,
            }
            for e in experiments
        },
        "runs": {r.info.run_id: _run(client, r, names) for r in runs},
        "searches": searches,
        "registry": registry,
    }


def predictions(pyfunc: Any, uris: list[str]) -> dict[str, Any]:
    import pandas as pd

    frame = pd.DataFrame(PROBE, columns=["x"])
    return {uri: pyfunc.load_model(uri).predict(frame)["x"].tolist() for uri in uris}
