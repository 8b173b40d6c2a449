"""`mltrail gc`: permanent deletion of deleted runs and experiments, with their artifacts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine, create_engine, update

from mltrail._time import now_ms
from mltrail.cli.gc import parse_duration
from mltrail.errors import InvalidParameter, NotFound
from mltrail.store.tracking.sql import schema
from mltrail.tracking import MlflowClient

Invoke = Callable[..., Result]
DAY_MS = 24 * 3600 * 1000


@pytest.fixture
def engine(tracking_uri: str) -> Iterator[Engine]:
    engine = create_engine(tracking_uri)
    yield engine
    engine.dispose()


@pytest.fixture
def experiment_id(client: MlflowClient, tmp_path: Path) -> str:
    return client.create_experiment("exp", artifact_location=str(tmp_path / "artifacts"))


def make_run(client: MlflowClient, experiment_id: str, tmp_path: Path) -> str:
    run_id = client.create_run(experiment_id).info.run_id
    source = tmp_path / "note.txt"
    source.write_text("artifact")
    client.log_artifact(run_id, str(source))
    return run_id


def artifacts_of(client: MlflowClient, run_id: str) -> Path:
    return Path(client.get_run(run_id).info.artifact_uri)


def backdate(engine: Engine, run_ids: list[str], days: float) -> None:
    """Pretend the runs were deleted `days` ago (gc's age filter reads deleted_time)."""
    with engine.begin() as conn:
        conn.execute(
            update(schema.runs)
            .where(schema.runs.c.run_id.in_(run_ids))
            .values(deleted_time=now_ms() - int(days * DAY_MS))
        )


def backdate_experiment(engine: Engine, experiment_id: str, days: float) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(schema.experiments)
            .where(schema.experiments.c.experiment_id == int(experiment_id))
            .values(deleted_time=now_ms() - int(days * DAY_MS))
        )


def gone(client: MlflowClient, run_id: str) -> bool:
    try:
        client.get_run(run_id)
    except NotFound:
        return True
    return False


def test_purges_every_deleted_run_and_its_artifacts(
    mltrail: Invoke, client: MlflowClient, experiment_id: str, tmp_path: Path
) -> None:
    doomed = make_run(client, experiment_id, tmp_path)
    kept = make_run(client, experiment_id, tmp_path)
    doomed_artifacts = artifacts_of(client, doomed)
    assert (doomed_artifacts / "note.txt").exists()
    client.delete_run(doomed)
    assert mltrail("gc").output == f"Run with ID {doomed} has been permanently deleted.\n"
    assert gone(client, doomed)
    assert not doomed_artifacts.exists()
    assert (artifacts_of(client, kept) / "note.txt").exists()


def test_older_than_purges_only_old_deletions(
    mltrail: Invoke, client: MlflowClient, experiment_id: str, tmp_path: Path, engine: Engine
) -> None:
    old, recent = (make_run(client, experiment_id, tmp_path) for _ in range(2))
    client.delete_run(old)
    client.delete_run(recent)
    backdate(engine, [old], days=31)
    backdate(engine, [recent], days=1)
    assert mltrail("gc", "--older-than", "30d").output == (
        f"Run with ID {old} has been permanently deleted.\n"
    )
    assert gone(client, old)
    assert not gone(client, recent)
    assert mltrail("gc", "--older-than", "1h30m").output == (
        f"Run with ID {recent} has been permanently deleted.\n"
    )


def test_named_run_younger_than_older_than_is_refused(
    mltrail: Invoke, client: MlflowClient, experiment_id: str, tmp_path: Path, engine: Engine
) -> None:
    old, recent = (make_run(client, experiment_id, tmp_path) for _ in range(2))
    client.delete_run(old)
    client.delete_run(recent)
    backdate(engine, [old], days=10)
    result = mltrail("gc", "--older-than", "2d", "--run-ids", f"{old},{recent}", ok=False)
    assert result.exit_code == 1
    assert f"Runs {recent} were deleted too recently for --older-than" in result.output
    assert not gone(client, old)  # all or nothing
    assert (artifacts_of(client, old) / "note.txt").exists()


def test_refuses_to_purge_an_active_run(
    mltrail: Invoke, client: MlflowClient, experiment_id: str, tmp_path: Path
) -> None:
    active = make_run(client, experiment_id, tmp_path)
    deleted = make_run(client, experiment_id, tmp_path)
    client.delete_run(deleted)
    result = mltrail("gc", "--run-ids", f"{deleted}, {active}", ok=False)
    assert result.exit_code == 1
    assert f"Runs {active} are not in the `deleted` lifecycle stage" in result.output
    assert "mltrail runs delete" in result.output
    assert not gone(client, deleted)
    assert (artifacts_of(client, active) / "note.txt").exists()


def test_unknown_run_is_a_clean_error(mltrail: Invoke) -> None:
    result = mltrail("gc", "--run-ids", "nope", ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "nope" in result.output


def test_named_runs_only(
    mltrail: Invoke, client: MlflowClient, experiment_id: str, tmp_path: Path
) -> None:
    first, second = (make_run(client, experiment_id, tmp_path) for _ in range(2))
    client.delete_run(first)
    client.delete_run(second)
    mltrail("gc", "--run-ids", first)
    assert gone(client, first)
    assert not gone(client, second)


def test_deleted_experiment_is_purged_with_all_its_runs(
    mltrail: Invoke, client: MlflowClient, experiment_id: str, tmp_path: Path
) -> None:
    runs = [make_run(client, experiment_id, tmp_path) for _ in range(2)]
    folders = [artifacts_of(client, r) for r in runs]
    other = client.create_experiment("other")
    client.delete_experiment(experiment_id)
    output = mltrail("gc", "--experiment-ids", experiment_id).output.splitlines()
    assert sorted(output[:2]) == sorted(
        f"Run with ID {r} has been permanently deleted." for r in runs
    )
    assert output[2:] == [f"Experiment with ID {experiment_id} has been permanently deleted."]
    assert all(gone(client, r) for r in runs)
    assert not any(folder.exists() for folder in folders)
    with pytest.raises(NotFound):
        client.get_experiment(experiment_id)
    assert client.get_experiment_by_name("exp") is None
    assert client.get_experiment(other).name == "other"


def test_every_deleted_experiment_is_purged_by_default(
    mltrail: Invoke, client: MlflowClient, experiment_id: str, tmp_path: Path, engine: Engine
) -> None:
    run_id = make_run(client, experiment_id, tmp_path)
    client.delete_experiment(experiment_id)
    assert mltrail("gc", "--older-than", "1d").output == ""  # deleted just now
    backdate(engine, [run_id], days=2)
    backdate_experiment(engine, experiment_id, days=2)
    assert mltrail("gc", "--older-than", "1d").output.splitlines() == [
        f"Run with ID {run_id} has been permanently deleted.",
        f"Experiment with ID {experiment_id} has been permanently deleted.",
    ]
    assert client.get_experiment_by_name("exp") is None


def test_refuses_to_purge_an_active_experiment(
    mltrail: Invoke, client: MlflowClient, experiment_id: str, tmp_path: Path
) -> None:
    run_id = make_run(client, experiment_id, tmp_path)
    result = mltrail("gc", "--experiment-ids", experiment_id, ok=False)
    assert f"Experiments {experiment_id} are not in the `deleted` lifecycle stage" in result.output
    assert not gone(client, run_id)


def test_named_experiment_younger_than_older_than_is_refused(
    mltrail: Invoke, client: MlflowClient, experiment_id: str
) -> None:
    client.delete_experiment(experiment_id)
    result = mltrail("gc", "--experiment-ids", experiment_id, "--older-than", "1d", ok=False)
    assert f"Experiments {experiment_id} were deleted too recently" in result.output
    assert client.get_experiment(experiment_id).name == "exp"


def test_backend_store_uri_option_wins_over_the_tracking_uri(
    mltrail: Invoke, tmp_path: Path
) -> None:
    other_uri = f"sqlite:///{tmp_path / 'other.db'}"
    other = MlflowClient(tracking_uri=other_uri)
    run_id = other.create_run("0").info.run_id
    other.delete_run(run_id)
    mltrail("gc")  # the default store (MLFLOW_TRACKING_URI) has nothing to purge
    assert not gone(other, run_id)
    assert mltrail("gc", "--backend-store-uri", other_uri).output == (
        f"Run with ID {run_id} has been permanently deleted.\n"
    )
    assert gone(other, run_id)


def test_proxied_artifacts_are_deleted_in_the_artifacts_destination(
    mltrail: Invoke, client: MlflowClient, tmp_path: Path
) -> None:
    experiment_id = client.create_experiment("proxied", artifact_location="mlflow-artifacts:/7")
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    assert run.info.artifact_uri == f"mlflow-artifacts:/7/{run_id}/artifacts"
    destination = tmp_path / "served"
    folder = destination / "7" / run_id / "artifacts"
    folder.mkdir(parents=True)
    (folder / "model.pkl").write_bytes(b"x")
    client.delete_run(run_id)
    mltrail("gc", "--artifacts-destination", str(destination))
    assert gone(client, run_id)
    assert not folder.exists()
    assert (destination / "7" / run_id).exists()  # only the run's artifact root is removed


def test_bad_older_than_is_refused(mltrail: Invoke) -> None:
    result = mltrail("gc", "--older-than", "3 weeks", ok=False)
    assert "Could not read a duration from --older-than '3 weeks'" in result.output


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("30d", 30 * DAY_MS),
        ("1h30m", 5_400_000),
        ("1.5h", 5_400_000),
        ("2d8h5m20s", 2 * DAY_MS + 8 * 3_600_000 + 5 * 60_000 + 20_000),
        ("0.5s", 500),
        ("45m", 2_700_000),
    ],
)
def test_parse_duration(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text", ["", "d", "5", "1h2d", "-1d", "1w", "1.2.3h"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(InvalidParameter):
        parse_duration(text)


def test_a_server_uri_is_not_a_backend_store(mltrail: Invoke) -> None:
    result = mltrail("gc", "--backend-store-uri", "http://127.0.0.1:9", ok=False)
    assert "gc purges a tracking database directly" in result.output
