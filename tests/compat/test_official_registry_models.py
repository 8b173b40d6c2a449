"""`models:/` URIs in every form, through an mltrail server: a model the official client logs with
`registered_model_name` loads by version, stage, alias and `latest`, in MLflow and in mltrail."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from types import ModuleType

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import mltrail
import mltrail.pyfunc
from mltrail.tracking import _stores
from mltrail.tracking._client_registry import clear_registry_stores
from tests.compat.conftest import LiveServer

pytestmark = [
    pytest.mark.compat,
    pytest.mark.filterwarnings("ignore:.*stages.*:FutureWarning"),
    # Printed by mlflow.pyfunc's own modules when they are first imported.
    pytest.mark.filterwarnings("ignore:.*Any type hint is inferred:UserWarning"),
]
os.environ.setdefault("OMP_NUM_THREADS", "1")

FRAME = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})


@pytest.fixture
def ours(live_server: LiveServer) -> Iterator[None]:
    mltrail.set_tracking_uri(live_server.url)
    yield
    clear_registry_stores()
    _stores.clear()


def test_every_models_uri_form_loads_in_both_libraries(mlflow: ModuleType, ours: None) -> None:
    import mlflow.sklearn

    name = f"uris-{uuid.uuid4().hex[:8]}"
    models = [LogisticRegression().fit(FRAME, labels) for labels in ([0, 0, 1, 1], [1, 1, 0, 0])]
    for model in models:
        signature = mlflow.models.infer_signature(FRAME, model.predict(FRAME))
        with mlflow.start_run():
            mlflow.sklearn.log_model(
                model, name="model", signature=signature, registered_model_name=name
            )
    client = mlflow.MlflowClient()
    client.transition_model_version_stage(name, "1", "Production")
    client.set_registered_model_alias(name, "champion", "1")

    first, second = (m.predict(FRAME).tolist() for m in models)
    assert first != second
    expected = {
        f"models:/{name}/1": first,
        f"models:/{name}/2": second,
        f"models:/{name}/Production": first,
        f"models:/{name}/production": first,  # stages are case-insensitive
        f"models:/{name}@champion": first,
        f"models:/{name}/latest": second,
    }
    for uri, answer in expected.items():
        assert list(mlflow.pyfunc.load_model(uri).predict(FRAME)) == answer, uri
        assert list(mltrail.pyfunc.load_model(uri).predict(FRAME)) == answer, uri

    for bad in (f"models:/{name}/Staging", f"models:/{name}@nobody", f"models:/{name}/9"):
        with pytest.raises(mlflow.exceptions.MlflowException):
            mlflow.pyfunc.load_model(bad)
        with pytest.raises(mltrail.exceptions.MlflowException):
            mltrail.pyfunc.load_model(bad)
