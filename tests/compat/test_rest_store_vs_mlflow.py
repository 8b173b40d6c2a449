"""mltrail's REST store and proxy artifact repository against the official `mlflow server`:
our client speaks MLflow's protocol, not just our own server's."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.entities import (
    Dataset,
    DatasetInput,
    ExperimentTag,
    InputTag,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelTag,
    Metric,
    Param,
    RunTag,
)
from mltrail.errors import MltrailError
from mltrail.settings import Settings
from mltrail.store.artifacts.http import HttpArtifactRepository
from mltrail.store.tracking.rest import RestTrackingStore
from tests.compat.conftest import LiveServer

pytestmark = [pytest.mark.compat, pytest.mark.slow]


@pytest.fixture
def store(official_server: LiveServer) -> Iterator[RestTrackingStore]:
    rest = RestTrackingStore(official_server.url, settings=Settings(http_request_max_retries=0))
    yield rest
    rest.close()


def test_experiments_runs_and_run_data(store: RestTrackingStore) -> None:
    name = f"vs-{uuid.uuid4().hex[:8]}"
    experiment_id = store.create_experiment(name, tags=[ExperimentTag("a", "b")])
    assert store.get_experiment_by_name(name).tags == {"a": "b"}  # type: ignore[union-attr]
    assert store.get_experiment_by_name(f"{name}-missing") is None
    run = store.create_run(experiment_id, "me", 1_700_000_000_000, [RunTag("t", "v")], "r1")
    run_id = run.info.run_id
    points = [Metric("m", float(i), 1000 + i, i) for i in range(5)]
    special = [Metric("nan", math.nan, 1, 0), Metric("neg", -0.5, 1, 0)]
    store.log_batch(run_id, points + special, [Param("p", "1")], [RunTag("x", "y")])
    data = store.get_run(run_id).data
    assert data.params == {"p": "1"}
    assert data.metrics["m"] == 4.0
    assert math.isnan(data.metrics["nan"])
    assert data.tags["x"] == "y"
    assert store.get_metric_history(run_id, "m") == points
    first = store.get_metric_history(run_id, "m", max_results=2)
    rest = store.get_metric_history(run_id, "m", max_results=10, page_token=first.token)
    assert list(first) + list(rest) == points
    info = store.update_run_info(run_id, "FINISHED", 1_700_000_001_000, None)
    assert (info.status, info.end_time) == ("FINISHED", 1_700_000_001_000)
    found = store.search_runs([experiment_id], "metrics.m > 1 and params.p = '1'")
    assert [r.info.run_id for r in found] == [run_id]
    dataset = Dataset("d", "abc", "local", "{}")
    store.log_inputs(run_id, [DatasetInput(dataset, (InputTag("mlflow.data.context", "train"),))])
    assert store.get_run(run_id).inputs.dataset_inputs[0].dataset == dataset
    store.delete_tag(run_id, "x")
    store.delete_run(run_id)
    assert store.get_run(run_id).info.lifecycle_stage == "deleted"
    with pytest.raises(MltrailError) as caught:
        store.get_run("0" * 32)
    assert caught.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_logged_models(store: RestTrackingStore) -> None:
    experiment_id = store.create_experiment(f"vs-models-{uuid.uuid4().hex[:8]}")
    run_id = store.create_run(experiment_id, "me", None, [], None).info.run_id
    model = store.create_logged_model(
        experiment_id,
        name="clf",
        source_run_id=run_id,
        tags=[LoggedModelTag("a", "b")],
        params=[LoggedModelParameter("k", "v")],
    )
    assert (model.status, model.params) == ("PENDING", {"k": "v"})
    store.log_outputs(run_id, [LoggedModelOutput(model.model_id, 1)])
    assert store.finalize_logged_model(model.model_id, "READY").status == "READY"
    store.set_logged_model_tags(model.model_id, [LoggedModelTag("c", "d")])
    store.delete_logged_model_tag(model.model_id, "a")
    assert store.get_logged_model(model.model_id).tags == {"c": "d"}
    assert [m.model_id for m in store.search_logged_models([experiment_id])] == [model.model_id]


def test_proxied_artifacts(
    store: RestTrackingStore, official_server: LiveServer, tmp_path: Path
) -> None:
    experiment_id = store.create_experiment(f"vs-artifacts-{uuid.uuid4().hex[:8]}")
    run = store.create_run(experiment_id, "me", None, [], None)
    repo = HttpArtifactRepository(run.info.artifact_uri, tracking_uri=official_server.url)
    repo.write_stream("dir/a.txt", [b"hello ", b"world"])
    source = tmp_path / "b.bin"
    source.write_bytes(bytes(range(256)) * 100)
    repo.log_artifact(str(source), "dir/sub")
    assert [f.path for f in repo.list_artifacts("dir")] == ["dir/a.txt", "dir/sub"]
    local = Path(repo.download_artifacts("dir", str(tmp_path / "out")))
    assert (local / "a.txt").read_bytes() == b"hello world"
    assert (local / "sub" / "b.bin").read_bytes() == source.read_bytes()
