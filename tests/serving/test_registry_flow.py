"""The flow a user follows: train, log with a registered name, promote, serve by stage."""

from __future__ import annotations

from pathlib import Path

import httpx
import pandas as pd
from sklearn.linear_model import LogisticRegression

import mltrail
import mltrail.sklearn
from tests.compat.conftest import stop_server
from tests.serving.conftest import FEATURES, LABELS, start_scoring_server


def _train(labels: list[int]) -> LogisticRegression:
    return LogisticRegression().fit(pd.DataFrame(FEATURES), labels)


def test_promoted_version_is_served_by_stage(tmp_path: Path) -> None:
    # The scoring server runs in `tmp_path` too, so it resolves models:/ on the same store.
    mltrail.set_tracking_uri(f"sqlite:///{tmp_path / 'mltrail.db'}")
    client = mltrail.MlflowClient()
    first, second = _train(LABELS), _train([1 - y for y in LABELS])  # opposite answers
    for model in (first, second):
        with mltrail.start_run():
            mltrail.sklearn.log_model(model, name="model", registered_model_name="churn")

    client.transition_model_version_stage("churn", 1, "Production")
    client.transition_model_version_stage("churn", 2, "Production", archive_existing_versions=True)
    assert client.get_model_version("churn", 1).current_stage == "Archived"

    server = start_scoring_server(tmp_path, "models:/churn/Production")
    try:
        body = {"dataframe_split": pd.DataFrame(FEATURES).to_dict(orient="split")}
        answer = httpx.post(f"{server.url}/invocations", json=body, timeout=30)
    finally:
        stop_server(server)
    assert answer.status_code == 200, answer.text
    expected = second.predict(pd.DataFrame(FEATURES)).tolist()
    assert answer.json() == {"predictions": expected}
    assert expected != first.predict(pd.DataFrame(FEATURES)).tolist()
