"""The same training script, run once with `import mlflow` and once with `import mltrail as
mlflow`, logs the same params, metrics, tags and artifacts (names and values)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.compat, pytest.mark.slow]

SCRIPT = """
import json, sys
import numpy as np
{import_line}
mlflow.set_tracking_uri(sys.argv[1])
mlflow.sklearn.autolog(log_models=False)
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV
import sklearn.metrics

rng = np.random.RandomState(0)
X = rng.rand(40, 3)
y = (X[:, 0] > 0.5).astype(int)
y3 = np.digitize(X[:, 1], [0.33, 0.66])
runs = {{}}
model = LogisticRegression().fit(X, y)
runs["binary"] = mlflow.last_active_run().info.run_id
X_test, y_test = X[:10], y[:10]
pred = model.predict(X_test)
sklearn.metrics.accuracy_score(y_test, pred)
sklearn.metrics.accuracy_score(y_test, pred)
sklearn.metrics.f1_score(y_test, pred)
model.score(X, y)
LogisticRegression(C=0.5).fit(X, y3)
runs["multiclass"] = mlflow.last_active_run().info.run_id
LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
runs["regression"] = mlflow.last_active_run().info.run_id
GridSearchCV(LogisticRegression(), {{"C": [0.1, 1.0, 10.0]}}, cv=2).fit(X, y)
runs["search"] = mlflow.last_active_run().info.run_id

client = mlflow.MlflowClient()
def describe(run_id):
    run = client.get_run(run_id)
    files = sorted(a.path for a in client.list_artifacts(run_id))
    info = None
    if "metric_info.json" in files:
        info = json.load(open(client.download_artifacts(run_id, "metric_info.json")))
    return {{
        "params": run.data.params,
        "metrics": run.data.metrics,
        "tags": {{k: v for k, v in run.data.tags.items()
                 if k.startswith("estimator_") or k == "mlflow.autologging"}},
        "artifacts": files,
        "contexts": sorted(t.value for d in run.inputs.dataset_inputs for t in d.tags),
        "metric_info": info,
    }}
out = {{name: describe(run_id) for name, run_id in runs.items()}}
children = client.search_runs(
    [client.get_run(runs["search"]).info.experiment_id],
    "tags.mlflow.parentRunId = '%s'" % runs["search"],
)
out["children"] = sorted(
    (describe(c.info.run_id) for c in children), key=lambda d: d["params"]["C"]
)
print("RESULT" + json.dumps(out))
"""
TIMINGS = {"mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"}


def run_script(tmp_path: Path, import_line: str, name: str) -> dict[str, Any]:
    script = tmp_path / f"{name}.py"
    script.write_text(SCRIPT.format(import_line=import_line))
    workdir = tmp_path / name
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(
        [sys.executable, str(script), f"sqlite:///{workdir / 'runs.db'}"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])  # type: ignore[no-any-return]


def test_sklearn_autolog_matches_mlflow(tmp_path: Path) -> None:
    theirs = run_script(tmp_path, "import mlflow", "mlflow_run")
    ours = run_script(tmp_path, "import mltrail as mlflow", "mltrail_run")
    for name in ("binary", "multiclass", "regression", "search"):
        mine, reference = ours[name], theirs[name]
        assert mine["params"] == reference["params"], name
        assert mine["metrics"] == pytest.approx(reference["metrics"]), name
        assert mine["tags"] == reference["tags"], name
        assert mine["artifacts"] == reference["artifacts"], name
        assert mine["contexts"] == reference["contexts"], name
        assert mine["metric_info"] == reference["metric_info"], name
    assert len(ours["children"]) == len(theirs["children"]) == 3
    for mine, reference in zip(ours["children"], theirs["children"], strict=True):
        assert mine["params"] == reference["params"]
        assert set(mine["metrics"]) == set(reference["metrics"])
        untimed = {k: v for k, v in reference["metrics"].items() if k not in TIMINGS}
        assert {k: mine["metrics"][k] for k in untimed} == pytest.approx(untimed)
        assert mine["tags"] == reference["tags"]
        assert mine["artifacts"] == reference["artifacts"] == []
