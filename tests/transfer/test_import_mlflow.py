"""`mltrail import` from real MLflow stores: what mltrail answers about the copy equals what
the real `mlflow` client answered about the source, field by field (snapshot.py)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import mltrail
from mltrail.cli.main import cli
from mltrail.entities import Metric, Run, ViewType
from mltrail.tracking import MlflowClient
from mltrail.transfer import Options, transfer
from mltrail.transfer.copier import Copier
from mltrail.transfer.destination import Destination
from mltrail.transfer.ledger import Ledger, ledger_path
from mltrail.transfer.source import Source, open_source
from tests.transfer.conftest import MlflowSources
from tests.transfer.snapshot import predictions, snapshot

pytestmark = [
    pytest.mark.compat,
    pytest.mark.slow,
    # The first test waits for MLflow to write its stores (minutes on a busy machine).
    pytest.mark.timeout(1800),
    # Loading the models MLflow pickled imports `mlflow.pyfunc`, which warns as it loads.
    pytest.mark.filterwarnings("ignore::UserWarning:mlflow.*"),
]


@pytest.fixture(autouse=True)
def _close_stores() -> Iterator[None]:
    yield
    from mltrail.tracking import _client_registry, _stores

    _stores.clear()
    _client_registry.clear_registry_stores()


def normalized(found: dict[str, Any]) -> dict[str, Any]:
    """JSON-equal form, where MLflow's own stores disagree on representation:

    - NaN as a string (NaN != NaN);
    - +/-inf: MLflow's SQL store answers +/-DBL_MAX for a logged +/-inf (its file store and
      mltrail answer +/-inf);
    - alias versions as strings (MLflow's SQL store answers ints, its file store strings);
    - metric histories without exact repeats (MLflow's file store repeats a point when a
      model is logged; mltrail stores a point once).
    """

    def fix(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return "NaN"
        if isinstance(value, float) and abs(value) == sys.float_info.max:
            return math.copysign(math.inf, value)
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    data = fix(json.loads(json.dumps(found, sort_keys=True)))
    for model in data["registry"].values():
        model["aliases"] = {k: str(v) for k, v in model["aliases"].items()}
    for run in data["runs"].values():
        for key, points in run["metrics"].items():
            unique: list[Any] = []
            for point in points:
                if point not in unique:
                    unique.append(point)
            run["metrics"][key] = unique
    return data


def read_back(destination: str, want: dict[str, Any]) -> dict[str, Any]:
    mltrail.set_tracking_uri(destination)
    found = snapshot(MlflowClient(), ViewType.ALL)
    found["predictions"] = predictions(mltrail.pyfunc, list(want["predictions"]))
    return normalized(found)


def sources(kind: str, all_sources: MlflowSources) -> tuple[str, dict[str, Any]]:
    history = getattr(all_sources, kind)
    return history.uri, history.snapshot


@pytest.mark.parametrize("kind", ["sqlite", "files", "server"])
def test_import_answers_exactly_as_mlflow_did(
    kind: str, mlflow_sources: MlflowSources, tmp_path: Path
) -> None:
    source, want = sources(kind, mlflow_sources)
    destination = f"sqlite:///{tmp_path / 'mltrail.db'}"
    summary = transfer(source, destination)
    assert summary.runs_copied == len(want["runs"]) == 5
    assert summary.versions_copied == 2
    assert not summary.warnings
    assert summary.artifact_files > 0
    assert read_back(destination, want) == normalized(want)


def test_rerun_copies_nothing_and_changes_nothing(
    mlflow_sources: MlflowSources, tmp_path: Path
) -> None:
    source, want = sources("sqlite", mlflow_sources)
    destination = f"sqlite:///{tmp_path / 'mltrail.db'}"
    first = transfer(source, destination)
    again = transfer(source, destination)
    assert (again.runs_copied, again.runs_skipped) == (0, first.runs_copied)
    assert (again.metrics, again.artifact_files, again.versions_copied) == (0, 0, 0)
    assert again.versions_skipped == 2
    assert again.experiments_created == 0
    assert read_back(destination, want) == normalized(want)


class FailingSource:
    """A real source that fails while reading the metrics of its `fail_at`-th run, as a
    network or disk error would part-way through an import."""

    def __init__(self, source: Source, fail_at: int) -> None:
        self.source = source
        self.left = fail_at

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)

    def metric_history(self, run: Run) -> Iterator[Metric]:
        self.left -= 1
        if self.left == 0:
            raise OSError("connection reset while reading metrics")
        return self.source.metric_history(run)


def test_interrupted_import_resumes_without_duplicates(
    mlflow_sources: MlflowSources, tmp_path: Path
) -> None:
    source_uri, want = sources("files", mlflow_sources)
    destination = f"sqlite:///{tmp_path / 'mltrail.db'}"
    path = ledger_path(tmp_path / "spool", source_uri, destination)
    failing = FailingSource(open_source(source_uri), fail_at=4)
    dest = Destination(destination)
    with pytest.raises(OSError, match="connection reset"):
        Copier(failing, dest, Ledger(path, source_uri, destination)).run()  # type: ignore[arg-type]
    dest.close()
    resumed = transfer(source_uri, destination, spool_dir=tmp_path / "spool")
    assert 0 < resumed.runs_copied < len(want["runs"])
    assert read_back(destination, want) == normalized(want)


def test_dry_run_reports_the_copy_and_writes_nothing(
    mlflow_sources: MlflowSources, tmp_path: Path
) -> None:
    source, want = sources("sqlite", mlflow_sources)
    destination = f"sqlite:///{tmp_path / 'mltrail.db'}"
    planned = transfer(source, destination, options=Options(dry_run=True))
    assert (planned.runs_copied, planned.versions_copied) == (len(want["runs"]), 2)
    client = MlflowClient(destination)
    assert [e.name for e in client.search_experiments(ViewType.ALL)] == ["Default"]
    done = transfer(source, destination)
    assert (done.runs_copied, done.metrics, done.params) == (
        planned.runs_copied,
        planned.metrics,
        planned.params,
    )


def test_cli_import_shows_progress_and_summary(
    mlflow_sources: MlflowSources, tmp_path: Path
) -> None:
    source, want = sources("files", mlflow_sources)
    destination = f"sqlite:///{tmp_path / 'mltrail.db'}"
    result = CliRunner().invoke(cli, ["import", "--from", source, "--to", destination])
    assert result.exit_code == 0, result.output
    assert f"runs: copied {len(want['runs'])}, skipped 0" in result.stdout
    assert "registry: 1 models, copied 2 versions" in result.stdout
    assert "vision: run 1/" in result.stderr
    again = CliRunner().invoke(cli, ["import", "--from", source, "--to", destination])
    assert f"runs: copied 0, skipped {len(want['runs'])}" in again.stdout
