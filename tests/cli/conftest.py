from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mltrail.cli.main import cli
from mltrail.tracking import MlflowClient

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    """Close the stores clients cached during the test (each test has its own database)."""
    yield
    from mltrail.tracking import _stores

    _stores.clear()


@pytest.fixture(autouse=True)
def _private_temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads without --dst-path go to a new temporary folder: keep those in tmp_path."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))


@pytest.fixture
def tracking_uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mltrail.db'}"


@pytest.fixture
def mltrail(tracking_uri: str) -> Invoke:
    """Run `mltrail <args>` in process against the test's SQLite store (via the environment)."""
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(cli, list(args), env={"MLFLOW_TRACKING_URI": tracking_uri})
        if ok:
            assert result.exit_code == 0, result.output + repr(result.exception)
        else:
            assert result.exit_code != 0, result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                "a failing command must end with a clean error, not a traceback"
            )
        return result

    return invoke


@pytest.fixture
def client(tracking_uri: str) -> MlflowClient:
    return MlflowClient(tracking_uri=tracking_uri)
