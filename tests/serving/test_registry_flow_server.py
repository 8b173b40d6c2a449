"""The user's flow against a tracking server: train, log with a registered name, promote through
Staging to Production (the previous Production version archived), and serve by stage with
`mltrail models serve -m models:/name/Production` resolving the model through that server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import mltrail
import mltrail.sklearn
from mltrail.tracking import _stores
from mltrail.tracking._client_registry import clear_registry_stores
from tests.compat.conftest import LiveServer, launch, start_server, stop_server
from tests.serving.conftest import FEATURES, LABELS


@pytest.fixture
def tracking_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path / "server")
    mltrail.set_tracking_uri(server.url)
    yield server
    clear_registry_stores()
    _stores.clear()
    stop_server(server)


def _train(labels: list[int]) -> LogisticRegression:
    return LogisticRegression().fit(pd.DataFrame(FEATURES), labels)


def test_promote_through_staging_then_serve_production(
    tracking_server: LiveServer, tmp_path: Path
) -> None:
    client = mltrail.MlflowClient()
    first, second = _train(LABELS), _train([1 - y for y in LABELS])  # opposite answers
    for model in (first, second):
        with mltrail.start_run():
            mltrail.sklearn.log_model(model, name="model", registered_model_name="churn")

    for version in ("1", "2"):
        staged = client.transition_model_version_stage("churn", version, "Staging")
        assert staged.current_stage == "Staging"
        client.transition_model_version_stage(
            "churn", version, "Production", archive_existing_versions=True
        )
    stages = {v.version: v.current_stage for v in client.search_model_versions("name = 'churn'")}
    assert stages == {"1": "Archived", "2": "Production"}
    latest = client.get_latest_versions("churn", ["Staging", "Production"])
    assert [(v.version, v.current_stage) for v in latest] == [("2", "Production")]

    # The scoring server knows the tracking server only from the environment, as users set it.
    program = [
        "env",
        f"MLTRAIL_TRACKING_URI={tracking_server.url}",
        sys.executable,
        "-m",
        "mltrail.cli.main",
        "models",
        "serve",
    ]
    scoring = launch(tmp_path / "serve", program, ["-m", "models:/churn/Production"])
    try:
        body = {"dataframe_split": pd.DataFrame(FEATURES).to_dict(orient="split")}
        answer = httpx.post(f"{scoring.url}/invocations", json=body, timeout=30)
    finally:
        stop_server(scoring)
    assert answer.status_code == 200, answer.text
    expected = second.predict(pd.DataFrame(FEATURES)).tolist()
    assert answer.json() == {"predictions": expected}
    assert expected != first.predict(pd.DataFrame(FEATURES)).tolist()
