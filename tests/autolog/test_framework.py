"""The autologging framework on a tiny library written to disk: safe patching, runs, options,
nesting, threads, disabling and import hooks."""

from __future__ import annotations

import importlib
import itertools
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import mltrail
from mltrail.autolog import AutologgingWarning, import_hooks, patching, records
from mltrail.autolog.integration import Integration, disable, enable
from mltrail.autolog.patching import Hooks
from mltrail.errors import MltrailError

TOY_SOURCE = """
__version__ = "1.5"

class Model:
    def __init__(self, depth=1):
        self.depth = depth

    def fit(self, X, fail=False):
        if fail:
            raise ValueError("user error")
        if self.depth > 1:  # nested fit, like a Pipeline's steps
            Model(self.depth - 1).fit(X)
        self.fitted_ = len(X)
        return self
"""
_names = itertools.count()


def write_toy(directory: Path) -> str:
    name = f"toylib_{next(_names)}"
    (directory / f"{name}.py").write_text(TOY_SOURCE)
    return name


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(write_toy(tmp_path))
    yield module
    sys.modules.pop(module.__name__, None)


class ToyHooks(Hooks):
    def after(self, result: Any) -> None:
        model, data = self.call.instance, self.call.args[1]
        records.log_params(self.call.run_id, {"depth": model.depth, "rows": len(data)})
        if self.call.config.option("explode"):
            raise RuntimeError("logging broke")
        records.log_metrics(self.call.run_id, {"fitted": result.fitted_})


def toy_integration(module: ModuleType) -> Integration:
    def install(flavor: str) -> None:
        patching.patch(flavor, module.Model, "fit", ToyHooks, starts_run=True)

    return Integration(
        flavor="toy",
        module=module.__name__,
        distribution="toylib",
        min_version="1.0",
        max_version="2.0",
        install=install,
        options={"explode": False},
    )


@pytest.fixture
def toy_on(toy: ModuleType, tracking: mltrail.MlflowClient) -> Iterator[Integration]:
    integration = toy_integration(toy)
    enable(integration, {})
    yield integration
    disable(integration)


def only_run(client: mltrail.MlflowClient) -> Any:
    runs = client.search_runs(["0"])
    assert len(runs) == 1
    return runs[0]


def test_fit_logs_into_a_run_it_starts_and_ends(
    toy: ModuleType, toy_on: Integration, tracking: mltrail.MlflowClient
) -> None:
    model = toy.Model().fit([1, 2, 3])
    assert model.fitted_ == 3
    run = only_run(tracking)
    assert run.data.params == {"depth": "1", "rows": "3"}
    assert run.data.metrics == {"fitted": 3.0}
    assert run.data.tags["mlflow.autologging"] == "toy"
    assert run.info.status == "FINISHED"
    assert mltrail.active_run() is None


def test_user_exception_passes_through_unchanged(
    toy: ModuleType, toy_on: Integration, tracking: mltrail.MlflowClient
) -> None:
    with pytest.raises(ValueError, match=r"^user error$") as caught:
        toy.Model().fit([1], fail=True)
    assert str(caught.value) == "user error"
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None
    # The traceback ends in the library's own `raise` line, as without autologging.
    last = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert last.name == "fit"
    assert last.line == 'raise ValueError("user error")'
    run = only_run(tracking)
    assert run.info.status == "FAILED"
    assert mltrail.active_run() is None


def test_logging_failure_warns_and_training_succeeds(
    toy: ModuleType, toy_on: Integration, tracking: mltrail.MlflowClient
) -> None:
    enable(toy_on, {"explode": True})
    with pytest.warns(AutologgingWarning, match="logging broke"):
        model = toy.Model().fit([1, 2])
    assert model.fitted_ == 2
    run = only_run(tracking)
    assert run.data.params == {"depth": "1", "rows": "2"}
    assert run.data.metrics == {}
    assert run.info.status == "FINISHED"


def test_silent_suppresses_the_warning(
    toy: ModuleType, toy_on: Integration, recwarn: pytest.WarningsRecorder
) -> None:
    enable(toy_on, {"explode": True, "silent": True})
    assert toy.Model().fit([1]).fitted_ == 1
    assert [w for w in recwarn if issubclass(w.category, AutologgingWarning)] == []


def test_disable_restores_the_original_function(toy: ModuleType, tracking: Any) -> None:
    original = toy.Model.__dict__["fit"]
    integration = toy_integration(toy)
    enable(integration, {})
    assert toy.Model.__dict__["fit"] is not original
    assert toy.Model.__dict__["fit"].__wrapped__ is original
    enable(integration, {"disable": True})
    assert toy.Model.__dict__["fit"] is original
    toy.Model().fit([1])
    assert tracking.search_runs(["0"]) == []


def test_nested_fit_logs_once_at_the_outermost_call(
    toy: ModuleType, toy_on: Integration, tracking: mltrail.MlflowClient
) -> None:
    toy.Model(depth=3).fit([1, 2])
    run = only_run(tracking)
    assert run.data.params == {"depth": "3", "rows": "2"}


def test_inside_a_user_run_logs_there_and_leaves_it_open(
    toy: ModuleType, toy_on: Integration, tracking: mltrail.MlflowClient
) -> None:
    with mltrail.start_run() as run:
        toy.Model().fit([1, 2, 3, 4])
        assert mltrail.active_run() is not None
        assert mltrail.active_run().info.run_id == run.info.run_id  # type: ignore[union-attr]
    logged = only_run(tracking)
    assert logged.info.run_id == run.info.run_id
    assert logged.data.params == {"depth": "1", "rows": "4"}
    assert "mlflow.autologging" not in logged.data.tags


def test_exclusive_keeps_out_of_user_runs(
    toy: ModuleType, toy_on: Integration, tracking: mltrail.MlflowClient
) -> None:
    enable(toy_on, {"exclusive": True})
    with mltrail.start_run():
        toy.Model().fit([1])
    assert only_run(tracking).data.params == {}


def test_extra_tags_go_on_autolog_runs(
    toy: ModuleType, toy_on: Integration, tracking: mltrail.MlflowClient
) -> None:
    enable(toy_on, {"extra_tags": {"team": "vision"}})
    toy.Model().fit([1])
    assert only_run(tracking).data.tags["team"] == "vision"


def test_each_thread_gets_its_own_run(
    toy: ModuleType, toy_on: Integration, tracking: mltrail.MlflowClient
) -> None:
    errors: list[BaseException] = []

    def train(rows: int) -> None:
        try:
            toy.Model().fit(list(range(rows)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=train, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    runs = tracking.search_runs(["0"])
    assert sorted(r.data.params["rows"] for r in runs) == ["1", "2", "3", "4", "5", "6"]
    assert all(r.data.metrics["fitted"] == float(r.data.params["rows"]) for r in runs)
    assert {r.info.status for r in runs} == {"FINISHED"}


def test_unknown_option_is_refused(toy: ModuleType) -> None:
    with pytest.raises(MltrailError, match=r"unknown option.*log_everything"):
        enable(toy_integration(toy), {"log_everything": True})


def test_unsupported_version(
    toy: ModuleType, tracking: mltrail.MlflowClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(toy, "__version__", "3.0")
    integration = toy_integration(toy)
    with pytest.warns(AutologgingWarning, match="outside the supported range"):
        enable(integration, {"disable_for_unsupported_versions": True})
    assert patching.patched_count("toy") == 0
    with pytest.warns(AutologgingWarning, match="may not work"):
        enable(integration, {})
    try:
        assert patching.patched_count("toy") == 1
    finally:
        disable(integration)


def test_import_hook_runs_after_a_later_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_toy(tmp_path)
    seen: list[Any] = []
    import_hooks.watch(name, "test", lambda module: seen.append(module.Model))
    try:
        module = importlib.import_module(name)
    finally:
        import_hooks.unwatch("test")
        sys.modules.pop(name, None)
    assert seen == [module.Model]
    assert not any(isinstance(f, import_hooks._Finder) for f in sys.meta_path)
