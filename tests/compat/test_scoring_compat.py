"""mltrail's scoring server answers like `mlflow models serve` on the same models.

Both servers run as real processes (MLflow's with ``--env-manager local``); each request is
sent to both and the statuses and JSON bodies compared.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from tests.compat.conftest import LiveServer, launch, stop_server
from tests.serving.conftest import (
    FEATURES,
    LABELS,
    save_params_model,
    save_sklearn_model,
    start_scoring_server,
)

pytestmark = [
    pytest.mark.compat,
    pytest.mark.slow,
    # Importing mlflow.sklearn warns about MLflow's own type hints.
    pytest.mark.filterwarnings("ignore:.*Any type hint is inferred:UserWarning"),
]

ROWS = [{"a": 0.0, "b": 1.0}, {"a": 3.0, "b": 0.0}, {"a": 1.7, "b": 0.0}]


def start_mlflow_scoring_server(root: Path, model: Path) -> LiveServer:
    # MLflow starts `uvicorn` from PATH: point it at this virtualenv's.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    program = ["env", f"PATH={path}", sys.executable, "-m", "mlflow", "models", "serve"]
    return launch(root, program, ["-m", str(model), "--env-manager", "local"])


def save_official_sklearn_model(path: Path) -> Path:
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    frame = pd.DataFrame(FEATURES)
    model = LogisticRegression().fit(frame, LABELS)
    signature = infer_signature(frame, model.predict(frame))
    mlflow.sklearn.save_model(model, path, signature=signature, input_example=frame.head(2))
    return path


@pytest.fixture(scope="module", params=["mltrail-saved", "mlflow-saved"])
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer]]:
    root = tmp_path_factory.mktemp("scoring-compat")
    save = save_sklearn_model if request.param == "mltrail-saved" else save_official_sklearn_model
    model = save(root / "model")
    ours = start_scoring_server(root / "mltrail", model)
    try:
        theirs = start_mlflow_scoring_server(root / "mlflow", model)
    except BaseException:
        stop_server(ours)
        raise
    yield ours, theirs
    stop_server(theirs)
    stop_server(ours)


def both(
    servers: tuple[LiveServer, LiveServer], content: bytes, content_type: str
) -> tuple[httpx.Response, httpx.Response]:
    headers = {"content-type": content_type}
    ours, theirs = (
        httpx.post(f"{s.url}/invocations", content=content, headers=headers, timeout=60)
        for s in servers
    )
    return ours, theirs


def json_bytes(body: Any) -> bytes:
    import json

    return json.dumps(body).encode()


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(ROWS).to_parquet(buffer)
    return buffer.getvalue()


def test_the_official_serving_input_gets_the_same_predictions(
    servers: tuple[LiveServer, LiveServer],
) -> None:
    from mlflow.models import convert_input_example_to_serving_input

    serving_input = convert_input_example_to_serving_input(pd.DataFrame(ROWS))
    assert serving_input is not None
    ours, theirs = both(servers, serving_input.encode(), "application/json")
    assert ours.status_code == theirs.status_code == 200
    assert ours.json() == theirs.json()


REQUESTS = {
    "split": (json_bytes({"dataframe_split": pd.DataFrame(ROWS).to_dict(orient="split")}), None),
    "records": (json_bytes({"dataframe_records": ROWS}), None),
    "instances": (json_bytes({"instances": ROWS}), None),
    "inputs": (json_bytes({"inputs": pd.DataFrame(ROWS).to_dict(orient="list")}), None),
    "params": (json_bytes({"dataframe_records": ROWS, "params": {"unused": 1}}), None),
    "csv": (pd.DataFrame(ROWS).to_csv(index=False).encode(), "text/csv"),
    "missing-column": (json_bytes({"dataframe_records": [{"a": 1.0}]}), None),
    "bad-type": (json_bytes({"dataframe_records": [{"a": "x", "b": 1.0}]}), None),
    "malformed": (b"{nope", None),
    "no-field": (json_bytes({"rows": ROWS}), None),
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_same_status_and_predictions_or_error_code(
    servers: tuple[LiveServer, LiveServer], name: str
) -> None:
    content, content_type = REQUESTS[name]
    ours, theirs = both(servers, content, content_type or "application/json")
    assert ours.status_code == theirs.status_code, (ours.text, theirs.text)
    if ours.status_code == 200:
        assert ours.json() == theirs.json()
    else:
        assert ours.json()["error_code"] == theirs.json()["error_code"], (ours.text, theirs.text)


def test_parquet_and_unsupported_types(servers: tuple[LiveServer, LiveServer]) -> None:
    ours, theirs = both(servers, parquet_bytes(), "application/vnd.apache.parquet")
    assert ours.status_code == theirs.status_code == 200
    assert ours.json() == theirs.json()
    ours, theirs = both(servers, b"<a/>", "application/xml")
    assert ours.status_code == theirs.status_code == 415
    assert ours.text == theirs.text


def test_health_routes(servers: tuple[LiveServer, LiveServer]) -> None:
    for route in ("/ping", "/health"):
        ours, theirs = (httpx.get(f"{s.url}{route}", timeout=30) for s in servers)
        assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)


def test_series_predictions_and_params_match(tmp_path: Path) -> None:
    """A PythonModel answering a Series with a params schema, served by both."""
    model = save_params_model(tmp_path / "model")
    ours = start_scoring_server(tmp_path / "mltrail", model)
    try:
        theirs = start_mlflow_scoring_server(tmp_path / "mlflow", model)
    except BaseException:
        stop_server(ours)
        raise
    try:
        for params in ({"factor": 4}, None):
            body: dict[str, Any] = {"dataframe_records": [{"x": 1.5}, {"x": -2.0}]}
            if params:
                body["params"] = params
            answers = both((ours, theirs), json_bytes(body), "application/json")
            assert answers[0].status_code == answers[1].status_code == 200, answers[1].text
            assert answers[0].json() == answers[1].json()
    finally:
        stop_server(theirs)
        stop_server(ours)
