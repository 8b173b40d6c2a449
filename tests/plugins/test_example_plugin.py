"""Third-party packages extend mltrail through entry points; the example plugin shows all three."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltrail.store.uri import artifact_repository_for, tracking_store_for
from mltrail.tracking.source import default_run_tags

pytestmark = pytest.mark.usefixtures("example_plugin")


def test_run_context_provider_adds_tags_while_in_context(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "example.context" not in default_run_tags(None)

    monkeypatch.setenv("MLTRAIL_TEST_EXAMPLE_CONTEXT", "nightly")
    monkeypatch.setenv("MLFLOW_RUN_CONTEXT", '{"mlflow.source.type": "NOTEBOOK"}')
    tags = default_run_tags({"example.context": "mine"})
    assert tags["example.context"] == "mine"  # the user's tags win
    assert tags["mlflow.source.type"] == "JOB"  # plugins win over defaults and the env JSON
    assert default_run_tags(None)["example.context"] == "nightly"


def test_artifact_repository_on_a_custom_scheme(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "MLmodel").write_text("flavors: {}\n")
    (tmp_path / "notes.txt").write_text("hello")

    repository = artifact_repository_for("memory://bucket/run-1")
    assert type(repository).__name__ == "MemoryArtifactRepository"
    repository.log_artifact(str(tmp_path / "notes.txt"))
    repository.log_artifacts(str(tmp_path / "model"), "model")

    again = artifact_repository_for("memory://bucket/run-1")
    assert [(f.path, f.is_dir) for f in again.list_artifacts()] == [
        ("model", True),
        ("notes.txt", False),
    ]
    assert b"".join(again.read_stream("notes.txt")) == b"hello"
    local = again.download_artifacts("model", str(tmp_path / "out"))
    assert (Path(local) / "MLmodel").read_text() == "flavors: {}\n"


def test_tracking_store_on_a_custom_scheme(tmp_path: Path) -> None:
    store = tracking_store_for(f"mytracker://{tmp_path / 'runs.db'}", str(tmp_path / "art"))
    assert type(store).__name__ == "MyTrackerStore"
    experiment_id = store.create_experiment("from-a-plugin")
    assert store.get_experiment(experiment_id).name == "from-a-plugin"
    assert (tmp_path / "runs.db").exists()
