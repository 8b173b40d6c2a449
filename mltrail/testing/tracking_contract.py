"""Behaviour every tracking store must show, as pytest test classes that backends subclass.

Subclasses provide a `store` fixture (SQL store, REST store against a live server, ...). The
tests use only the store Protocols, create their own uniquely named experiments and never
assume an empty store, so one store may serve a whole class.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from mltrail.entities import (
    Dataset,
    DatasetInput,
    ExperimentTag,
    InputTag,
    LifecycleStage,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelTag,
    Metric,
    Param,
    Run,
    RunStatus,
    RunTag,
    ViewType,
)
from mltrail.errors import MltrailError

INVALID = "INVALID_PARAMETER_VALUE"
MISSING = "RESOURCE_DOES_NOT_EXIST"
EXISTS = "RESOURCE_ALREADY_EXISTS"
DELETED = LifecycleStage.DELETED
ACTIVE = LifecycleStage.ACTIVE


def unique(prefix: str = "exp") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def now() -> int:
    return int(time.time() * 1000)


@contextmanager
def fails(code: str, match: str | None = None) -> Iterator[None]:
    """The block raises an MltrailError with `code` (and a message matching `match`)."""
    with pytest.raises(MltrailError) as caught:
        yield
    assert caught.value.error_code == code, caught.value
    if match is not None:
        assert re.search(match, caught.value.message), caught.value.message


class _Helpers:
    def new_experiment(self, store: Any, **kwargs: Any) -> str:
        return str(store.create_experiment(unique(), **kwargs))

    def new_run(self, store: Any, experiment_id: str | None = None, **kwargs: Any) -> Run:
        exp = experiment_id or self.new_experiment(store)
        args = {"user_id": "alice", "start_time": now(), "tags": [], "run_name": None}
        run: Run = store.create_run(exp, **{**args, **kwargs})
        return run


class TrackingStoreContract(_Helpers):
    # --- experiments ------------------------------------------------------------------------

    def test_default_experiment_exists(self, store: Any) -> None:
        default = store.get_experiment("0")
        assert (default.name, default.lifecycle_stage) == ("Default", ACTIVE)

    def test_create_and_get_experiment(self, store: Any) -> None:
        name = unique()
        exp_id = store.create_experiment(name, tags=[ExperimentTag("team", "vision")])
        exp = store.get_experiment(exp_id)
        assert isinstance(exp_id, str)
        assert exp.experiment_id == exp_id
        assert (exp.name, exp.lifecycle_stage, exp.tags) == (name, ACTIVE, {"team": "vision"})
        assert exp.artifact_location.endswith(f"/{exp_id}")
        assert exp.creation_time
        assert exp.creation_time <= now()
        assert store.get_experiment_by_name(name) == exp
        assert store.get_experiment_by_name(unique()) is None

    def test_explicit_artifact_location_is_kept(self, store: Any) -> None:
        exp_id = self.new_experiment(store, artifact_location="s3://bucket/some/where")
        assert store.get_experiment(exp_id).artifact_location == "s3://bucket/some/where"

    def test_experiment_names_are_unique_and_case_sensitive(self, store: Any) -> None:
        name = unique("Case")
        store.create_experiment(name)
        store.create_experiment(name.lower())
        with fails(EXISTS, re.escape(name)):
            store.create_experiment(name)

    @pytest.mark.parametrize("name", ["", "x" * 501])
    def test_invalid_experiment_name(self, store: Any, name: str) -> None:
        with fails(INVALID):
            store.create_experiment(name)

    def test_missing_experiment(self, store: Any) -> None:
        with fails(MISSING, "No Experiment with id=987654 exists"):
            store.get_experiment("987654")

    def test_delete_and_restore_experiment_with_its_runs(self, store: Any) -> None:
        exp_id = self.new_experiment(store)
        kept, dropped_before = self.new_run(store, exp_id), self.new_run(store, exp_id)
        store.delete_run(dropped_before.info.run_id)
        store.delete_experiment(exp_id)
        assert store.get_experiment(exp_id).lifecycle_stage == DELETED
        assert store.get_run(kept.info.run_id).info.lifecycle_stage == DELETED
        with fails(INVALID):
            self.new_run(store, exp_id)
        with fails(MISSING):
            store.delete_experiment(exp_id)
        store.restore_experiment(exp_id)
        assert store.get_experiment(exp_id).lifecycle_stage == ACTIVE
        assert store.get_run(kept.info.run_id).info.lifecycle_stage == ACTIVE
        assert store.get_run(dropped_before.info.run_id).info.lifecycle_stage == DELETED
        with fails(MISSING):
            store.restore_experiment(exp_id)

    def test_default_experiment_cannot_be_deleted(self, store: Any) -> None:
        with pytest.raises(MltrailError, match="default experiment"):
            store.delete_experiment("0")
        assert store.get_experiment("0").lifecycle_stage == ACTIVE

    def test_rename_experiment(self, store: Any) -> None:
        exp_id, other = self.new_experiment(store), self.new_experiment(store)
        new_name = unique("renamed")
        store.rename_experiment(exp_id, new_name)
        assert store.get_experiment(exp_id).name == new_name
        with fails(EXISTS):
            store.rename_experiment(other, new_name)
        store.delete_experiment(other)
        with fails("INVALID_STATE"):
            store.rename_experiment(other, unique())

    def test_experiment_tags(self, store: Any) -> None:
        exp_id = self.new_experiment(store)
        store.set_experiment_tag(exp_id, ExperimentTag("k", "v1"))
        store.set_experiment_tag(exp_id, ExperimentTag("k", "v2"))
        store.set_experiment_tag(exp_id, ExperimentTag("gone", "x"))
        store.delete_experiment_tag(exp_id, "gone")
        assert store.get_experiment(exp_id).tags == {"k": "v2"}
        with fails(MISSING):
            store.delete_experiment_tag(exp_id, "gone")
        with fails(INVALID):
            store.set_experiment_tag(exp_id, ExperimentTag("big", "x" * 20001))
        store.delete_experiment(exp_id)
        with fails(INVALID):
            store.set_experiment_tag(exp_id, ExperimentTag("k", "v3"))

    def test_search_experiments_pages(self, store: Any) -> None:
        prefix = unique("page")
        ids = [store.create_experiment(f"{prefix}-{i}") for i in range(5)]
        store.delete_experiment(ids[0])
        found, token = [], None
        while True:
            page = store.search_experiments(
                max_results=2, filter_string=f"name LIKE '{prefix}%'", page_token=token
            )
            assert len(page) <= 2
            found += [e.experiment_id for e in page]
            if not (token := page.token):
                break
        assert sorted(found) == sorted(ids[1:])
        deleted = store.search_experiments(
            ViewType.DELETED_ONLY, filter_string=f"name LIKE '{prefix}%'"
        )
        assert [e.experiment_id for e in deleted] == [ids[0]]

    def test_search_paging_arguments_are_checked(self, store: Any) -> None:
        for search in (store.search_experiments, lambda **kw: store.search_runs(["0"], **kw)):
            with fails(INVALID, "50000"):
                search(max_results=50001)
            with fails(INVALID, "page token"):
                search(page_token="not-a-token")

    # --- runs -------------------------------------------------------------------------------

    def test_create_run(self, store: Any) -> None:
        exp_id = self.new_experiment(store)
        start = now()
        run = store.create_run(exp_id, "alice", start, [RunTag("a", "b")], None)
        info = run.info
        assert re.fullmatch(r"[0-9a-f]{32}", info.run_id)
        assert re.fullmatch(r"[a-z]+-[a-z]+-\d{1,3}", info.run_name)
        assert (info.experiment_id, info.user_id, info.start_time) == (exp_id, "alice", start)
        assert (info.status, info.end_time, info.lifecycle_stage) == ("RUNNING", None, ACTIVE)
        location = store.get_experiment(exp_id).artifact_location
        assert info.artifact_uri == f"{location}/{info.run_id}/artifacts"
        assert run.data.tags == {"a": "b", "mlflow.runName": info.run_name}
        assert store.get_run(info.run_id) == run

    def test_run_name_from_argument_or_tag(self, store: Any) -> None:
        named = self.new_run(store, run_name="given")
        tagged = self.new_run(store, tags=[RunTag("mlflow.runName", "tagged")])
        assert (named.info.run_name, named.data.tags["mlflow.runName"]) == ("given", "given")
        assert store.get_run(tagged.info.run_id).info.run_name == "tagged"
        with fails(INVALID):
            self.new_run(store, run_name="one", tags=[RunTag("mlflow.runName", "other")])

    def test_missing_run(self, store: Any) -> None:
        with fails(MISSING, "Run with id=0123abc not found"):
            store.get_run("0123abc")
        with fails(MISSING):
            self.new_run(store, experiment_id="987654")

    def test_update_run_info(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        info = store.update_run_info(run_id, RunStatus.FINISHED, 1234, "final-name")
        assert (info.status, info.end_time, info.run_name) == ("FINISHED", 1234, "final-name")
        run = store.get_run(run_id)
        assert run.info == info
        assert run.data.tags["mlflow.runName"] == "final-name"
        assert store.update_run_info(run_id, "FAILED", None, None).run_name == "final-name"

    def test_deleted_run_refuses_writes(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        store.delete_run(run_id)
        assert store.get_run(run_id).info.lifecycle_stage == DELETED
        deleted = f"The run {run_id} must be in the 'active' state"
        with fails(INVALID, deleted):
            store.log_batch(run_id, metrics=[Metric("m", 1.0, now(), 0)])
        with fails(INVALID, deleted):
            store.update_run_info(run_id, "FINISHED", now(), None)
        store.restore_run(run_id)
        store.log_batch(run_id, metrics=[Metric("m", 1.0, now(), 0)])
        assert store.get_run(run_id).data.metrics == {"m": 1.0}

    def test_search_runs_pages_with_full_runs(self, store: Any) -> None:
        exp_id = self.new_experiment(store)
        runs = [self.new_run(store, exp_id, start_time=1000 + i) for i in range(5)]
        for i, run in enumerate(runs):
            store.log_batch(run.info.run_id, [Metric("m", i, 1, 0)], [Param("i", str(i))])
        store.delete_run(runs[0].info.run_id)
        seen: list[Run] = []
        token = None
        while True:
            page = store.search_runs([exp_id], max_results=2, page_token=token)
            seen += page
            if not (token := page.token):
                break
        assert [r.info.run_id for r in seen] == [r.info.run_id for r in reversed(runs[1:])]
        assert all(r.data.params["i"] == str(int(r.data.metrics["m"])) for r in seen)
        found = store.search_runs([exp_id], "params.i = '3'", ViewType.ALL)
        assert [r.info.run_id for r in found] == [runs[3].info.run_id]
        deleted = store.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)
        assert [r.info.run_id for r in deleted] == [runs[0].info.run_id]

    # --- log_batch --------------------------------------------------------------------------

    def test_log_batch_records_everything(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        metrics = [Metric("loss", 0.5, 10, 1), Metric("acc", 0.9, 10, 1)]
        params = [Param("lr", "0.1"), Param("LR", "upper")]
        store.log_batch(run_id, metrics, params, [RunTag("t", "v")])
        data = store.get_run(run_id).data
        assert data.metrics == {"loss": 0.5, "acc": 0.9}
        assert data.params == {"lr": "0.1", "LR": "upper"}
        assert data.tags["t"] == "v"
        assert sorted(data.latest_metrics, key=lambda m: m.key)[0] == Metric("acc", 0.9, 10, 1)

    def test_params_are_immutable_and_batches_all_or_nothing(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        store.log_batch(run_id, params=[Param("p", "1")])
        store.log_batch(run_id, params=[Param("p", "1"), Param("p", "1")])
        with fails(INVALID, "Changing param values is not allowed"):
            store.log_batch(
                run_id, [Metric("m", 1.0, now(), 0)], [Param("p", "2"), Param("q", "1")]
            )
        with fails(INVALID, "Duplicate parameter keys"):
            store.log_batch(run_id, params=[Param("r", "1"), Param("r", "2")])
        data = store.get_run(run_id).data
        assert (data.params, data.metrics) == ({"p": "1"}, {})

    @pytest.mark.parametrize(
        ("metric", "match"),
        [
            (Metric("bad!key", 1.0, 1, 0), "Names may only contain"),
            (Metric("../up", 1.0, 1, 0), "would resolve to"),
            (Metric("/abs", 1.0, 1, 0), "would resolve to"),
            (Metric("k" * 251, 1.0, 1, 0), "250"),
            (Metric("m", "high", 1, 0), "valid double"),  # type: ignore[arg-type]
            (Metric("m", True, 1, 0), "valid double"),
            (Metric("m", 1.0, -1, 0), "Timestamp must be a nonnegative long"),
            (Metric("m", 1.0, 1, 1.5), "Step must be a valid long"),  # type: ignore[arg-type]
        ],
    )
    def test_invalid_metric_rejects_batch(self, store: Any, metric: Metric, match: str) -> None:
        run_id = self.new_run(store).info.run_id
        with fails(INVALID, match):
            store.log_batch(run_id, [Metric("ok", 1.0, 1, 0), metric], [Param("p", "v")])
        assert store.get_run(run_id).data.params == {}

    @pytest.mark.parametrize(
        ("metrics", "params", "tags"),
        [(1001, 0, 0), (0, 101, 0), (0, 0, 101), (901, 100, 0)],
    )
    def test_batch_limits(self, store: Any, metrics: int, params: int, tags: int) -> None:
        run_id = self.new_run(store).info.run_id
        with fails(INVALID, "A batch logging request can contain at most"):
            store.log_batch(
                run_id,
                [Metric("m", 1.0, 1, i) for i in range(metrics)],
                [Param(f"p{i}", "v") for i in range(params)],
                [RunTag(f"t{i}", "v") for i in range(tags)],
            )

    def test_long_values_are_truncated(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        store.log_batch(run_id, params=[Param("p", "x" * 6001)], tags=[RunTag("t", "y" * 8001)])
        data = store.get_run(run_id).data
        assert (len(data.params["p"]), len(data.tags["t"])) == (6000, 8000)

    def test_special_metric_values_round_trip(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        values = {"nan": math.nan, "inf": math.inf, "ninf": -math.inf, "small": -1e-300}
        store.log_batch(run_id, [Metric(k, v, 1, 0) for k, v in values.items()])
        latest = store.get_run(run_id).data.metrics
        assert math.isnan(latest.pop("nan"))
        assert latest == {k: v for k, v in values.items() if k != "nan"}
        assert math.isnan(store.get_metric_history(run_id, "nan")[0].value)
        assert store.get_metric_history(run_id, "ninf")[0].value == -math.inf

    def test_resent_batch_is_idempotent(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        batch = [Metric("m", float(i), 100 + i, i) for i in range(10)]
        store.log_batch(run_id, batch + batch[:3])
        store.log_batch(run_id, batch)
        assert store.get_metric_history(run_id, "m") == batch

    def test_latest_metric_is_greatest_step_then_timestamp_then_value(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id

        def log_and_read(value: float, timestamp: int, step: int) -> float:
            store.log_batch(run_id, [Metric("m", value, timestamp, step)])
            return float(store.get_run(run_id).data.metrics["m"])

        assert log_and_read(5.0, 100, 3) == 5.0
        assert log_and_read(1.0, 200, 2) == 5.0  # an older step never wins
        assert log_and_read(0.0, 50, 3) == 5.0  # same step, older timestamp
        assert log_and_read(7.0, 100, 3) == 7.0  # same step and time, larger value
        assert log_and_read(2.0, 101, 3) == 2.0  # same step, newer timestamp

    def test_metric_history_order_and_pages(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        points = [Metric("m", float(i), 1000 - i, i % 3) for i in range(7)]
        store.log_batch(run_id, points)
        expected = sorted(points, key=lambda m: (m.step, m.timestamp))
        assert store.get_metric_history(run_id, "m") == expected
        pages, token = [], None
        while True:
            page = store.get_metric_history(run_id, "m", max_results=3, page_token=token)
            pages.append(list(page))
            if not (token := page.token):
                break
        assert [len(p) for p in pages] == [3, 3, 1]
        assert [m for p in pages for m in p] == expected
        assert list(store.get_metric_history(run_id, "never-logged")) == []

    def test_tags(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        store.log_batch(run_id, tags=[RunTag("k", "1"), RunTag("k", "2"), RunTag("x", "y")])
        store.delete_tag(run_id, "x")
        assert store.get_run(run_id).data.tags["k"] == "2"
        assert "x" not in store.get_run(run_id).data.tags
        with fails(MISSING, "No tag with name: x"):
            store.delete_tag(run_id, "x")
        store.log_batch(run_id, tags=[RunTag("mlflow.runName", "renamed")])
        assert store.get_run(run_id).info.run_name == "renamed"

    # --- inputs and outputs -----------------------------------------------------------------

    def test_dataset_inputs(self, store: Any) -> None:
        exp_id = self.new_experiment(store)
        first, second = self.new_run(store, exp_id), self.new_run(store, exp_id)
        dataset = Dataset("iris", "abc123", "local", '{"uri": "/data"}', '{"cols": 4}', "{}")
        train = DatasetInput(dataset, (InputTag("mlflow.data.context", "train"),))
        store.log_inputs(first.info.run_id, [train])
        store.log_inputs(first.info.run_id, [train])
        store.log_inputs(second.info.run_id, [DatasetInput(dataset)])
        inputs = store.get_run(first.info.run_id).inputs.dataset_inputs
        assert len(inputs) == 1
        assert inputs[0].dataset == dataset
        assert list(inputs[0].tags) == [InputTag("mlflow.data.context", "train")]
        assert store.get_run(second.info.run_id).inputs.dataset_inputs[0].dataset == dataset
        with fails(INVALID):
            store.log_inputs(
                first.info.run_id, [DatasetInput(Dataset("n" * 501, "d", "local", "{}"))]
            )

    def test_model_inputs_and_outputs(self, store: Any) -> None:
        run_id = self.new_run(store).info.run_id
        model_in, model_out = f"m-{uuid.uuid4().hex}", f"m-{uuid.uuid4().hex}"
        store.log_inputs(run_id, models=[LoggedModelInput(model_in)])
        store.log_outputs(run_id, [LoggedModelOutput(model_out, step=3)])
        run = store.get_run(run_id)
        assert list(run.inputs.model_inputs) == [LoggedModelInput(model_in)]
        assert list(run.outputs.model_outputs) == [LoggedModelOutput(model_out, 3)]


class LoggedModelStoreContract(_Helpers):
    def test_logged_model_lifecycle(self, store: Any) -> None:
        exp_id = self.new_experiment(store)
        run_id = self.new_run(store, exp_id).info.run_id
        model = store.create_logged_model(
            exp_id,
            name="clf",
            source_run_id=run_id,
            tags=[LoggedModelTag("t", "1")],
            params=[LoggedModelParameter("alpha", "0.5")],
            model_type="sklearn",
        )
        assert re.fullmatch(r"m-[0-9a-f]{32}", model.model_id)
        location = store.get_experiment(exp_id).artifact_location
        assert model.artifact_location == f"{location}/models/{model.model_id}/artifacts"
        assert (model.status, model.name, model.source_run_id) == ("PENDING", "clf", run_id)
        assert (model.tags, model.params) == ({"t": "1"}, {"alpha": "0.5"})
        assert store.finalize_logged_model(model.model_id, "READY").status == "READY"
        store.log_batch(run_id, [Metric("acc", 0.9, now(), 1, model_id=model.model_id)])
        metrics = store.get_logged_model(model.model_id).metrics
        assert [(m.key, m.value, m.step) for m in metrics] == [("acc", 0.9, 1)]
        store.set_logged_model_tags(model.model_id, [LoggedModelTag("t", "2")])
        store.log_logged_model_params(model.model_id, [LoggedModelParameter("beta", "1")])
        store.delete_logged_model_tag(model.model_id, "t")
        got = store.get_logged_model(model.model_id)
        assert (got.tags, got.params) == ({}, {"alpha": "0.5", "beta": "1"})
        with fails(MISSING):
            store.delete_logged_model_tag(model.model_id, "t")
        store.delete_logged_model(model.model_id)
        with fails(MISSING):
            store.get_logged_model(model.model_id)
        assert store.get_logged_model(model.model_id, allow_deleted=True).model_id == model.model_id

    def test_search_logged_models(self, store: Any) -> None:
        exp_id = self.new_experiment(store)
        models = [store.create_logged_model(exp_id, name=f"m{i}") for i in range(3)]
        store.finalize_logged_model(models[1].model_id, "READY")
        newest_first = store.search_logged_models([exp_id], max_results=2)
        assert [m.name for m in newest_first] == ["m2", "m1"]
        assert newest_first.token
        rest = store.search_logged_models([exp_id], max_results=2, page_token=newest_first.token)
        assert [m.name for m in rest] == ["m0"]
        assert rest.token is None
        ready = store.search_logged_models([exp_id], filter_string="status = 'READY'")
        assert [m.model_id for m in ready] == [models[1].model_id]


class MaintenanceStoreContract(_Helpers):
    def test_purge_deleted_run(self, store: Any) -> None:
        active, deleted = self.new_run(store), self.new_run(store)
        store.log_batch(deleted.info.run_id, [Metric("m", 1.0, 1, 0)], [Param("p", "1")])
        store.delete_run(deleted.info.run_id)
        assert deleted.info.run_id in store.deleted_run_ids()
        assert active.info.run_id not in store.deleted_run_ids()
        assert deleted.info.run_id not in store.deleted_run_ids(older_than_ms=3_600_000)
        with fails(INVALID):
            store.purge_run(active.info.run_id)
        store.purge_run(deleted.info.run_id)
        with fails(MISSING):
            store.get_run(deleted.info.run_id)

    def test_purge_deleted_experiment(self, store: Any) -> None:
        exp_id = self.new_experiment(store)
        run_id = self.new_run(store, exp_id).info.run_id
        store.log_batch(run_id, [Metric("m", 1.0, 1, 0)])
        store.delete_experiment(exp_id)
        assert exp_id in store.deleted_experiment_ids()
        store.purge_experiment(exp_id)
        with fails(MISSING):
            store.get_experiment(exp_id)
        with fails(MISSING):
            store.get_run(run_id)
