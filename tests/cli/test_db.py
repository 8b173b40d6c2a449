"""`mltrail db upgrade` on real databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from sqlalchemy import create_engine, inspect

from mltrail.tracking import MlflowClient

Invoke = Callable[..., Result]


def test_upgrade_creates_the_schema_and_is_repeatable(mltrail: Invoke, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = mltrail("db", "upgrade", url).output
    assert first.startswith("The database schema is up to date (revision ")
    assert mltrail("db", "upgrade", url).output == first
    engine = create_engine(url)
    try:
        assert {"experiments", "runs", "metrics"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert MlflowClient(tracking_uri=url).get_experiment("0").name == "Default"


def test_upgrade_refuses_a_non_database_url(mltrail: Invoke) -> None:
    result = mltrail("db", "upgrade", "http://127.0.0.1:5000", ok=False)
    assert result.exit_code == 2
    assert "is not a database URL" in result.output


def test_upgrade_reports_an_unreachable_server_without_the_password(mltrail: Invoke) -> None:
    url = "postgresql+psycopg://someone:hunter2@127.0.0.1:9/nothing?connect_timeout=2"
    result = mltrail("db", "upgrade", url, ok=False)
    assert result.exit_code == 1
    assert "Could not upgrade postgresql+psycopg://someone:***@127.0.0.1:9/nothing" in result.output
    assert "hunter2" not in result.output


def test_upgrade_requires_a_url(mltrail: Invoke) -> None:
    assert "Missing argument 'URL'" in mltrail("db", "upgrade", ok=False).output
