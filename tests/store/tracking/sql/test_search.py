"""Run and experiment searches compiled to SQL, executed on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine, Select, create_engine, insert

from mltrail.entities import ViewType
from mltrail.errors import InvalidParameter
from mltrail.store.tracking.sql import schema
from mltrail.store.tracking.sql.search import experiments_query, runs_query
from mltrail.store.tracking.sql.search_text import like_to_glob
from mltrail.testing.databases import BACKENDS, temporary_database

DBL_MAX = 1.7976931348623157e308

# run_id: (experiment, name, status, user, start_time, end_time, lifecycle_stage)
RUNS = {
    "a": (1, "alpha", "FINISHED", "alice", 1, 10, "active"),
    "b": (1, "Beta", "RUNNING", "bob", 2, None, "active"),
    "nan": (1, "nan-run", "FAILED", "alice", 3, 30, "active"),
    "inf": (1, "inf-run", "FINISHED", "bob", 4, 40, "active"),
    "ninf": (1, "ninf-run", "KILLED", "carol", 5, 50, "active"),
    "none": (1, "empty", "RUNNING", "carol", 6, None, "active"),
    "gone": (1, "deleted-run", "FINISHED", "alice", 7, 70, "deleted"),
    "far": (2, "other", "FINISHED", "alice", 8, 80, "active"),
    "tie": (2, "same-start", "FINISHED", "alice", 8, 80, "active"),
}
DEFAULT_ORDER = ["none", "ninf", "inf", "nan", "b", "a"]  # experiment 1, active, newest first
METRICS = {
    "a": {"m": 1.0, "loss": 0.5},
    "b": {"m": 2.0, "loss": 0.5},
    "nan": {"m": math.nan},
    "inf": {"m": math.inf},
    "ninf": {"m": -math.inf},
    "gone": {"m": 1.0},
    "far": {"m": 1.0},
}
PARAMS = {
    "a": {"p": "Abc", "order": "bb"},
    "b": {"p": "abc", "order": "cc"},
    "nan": {"p": "x%y", "order": "aa"},
    "inf": {"p": "a_c", "order": "dd"},
    "ninf": {"p": "A_C"},
    "gone": {"p": "abc"},
}
TAGS = {
    "a": {"t": "Foo", "mlflow.runName": "alpha", "rank": "x"},
    "b": {"t": "foo", "my tag": "v", "rank": "y"},
    "nan": {"t": "f*o?[x]", "rank": "w"},
    "inf": {"t": "back\\slash"},
}
# experiment_id: (name, lifecycle_stage, creation_time, last_update_time, tags)
EXPERIMENTS = {
    1: ("exp", "active", 100, 100, {}),
    2: ("Beta", "active", 200, 250, {"k": "V"}),
    3: ("alpha", "active", 300, 300, {"k": "v"}),
    4: ("gamma", "deleted", 400, 400, {}),
    5: ("alpha2", "active", 300, 350, {"note": "x"}),
}
DATASETS = [("ds1", "train_set", "d1"), ("ds2", "Eval_set", "d2")]
# input_id: (run_id, kind, source_id, context)
INPUTS = {
    "i1": ("a", "dataset", "ds1", "training"),
    "i2": ("b", "dataset", "ds2", "evaluation"),
    "i3": ("a", "dataset", "ds2", "Eval"),
    "i4": ("nan", "model_input", "ds1", None),  # not a dataset: never matches datasets.*
}


@pytest.fixture(scope="module", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One populated database per backend, shared by this module's read-only tests.

    Same throw-away databases as the `db_uri` fixture, built once per module instead of once
    per test: searches never write, and a fresh server database costs about a second.
    """
    with temporary_database(request.param, tmp_path_factory.mktemp("search")) as uri:
        engine = create_engine(uri)
        try:
            # The tracking tables only: other stores declare their tables on the same metadata.
            schema.metadata.create_all(engine, tables=schema.TABLES)
            with engine.begin() as conn:
                for statement, rows in _rows():
                    conn.execute(statement, rows)
            yield engine
        finally:
            engine.dispose()


def _rows() -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    yield (
        insert(schema.experiments),
        [
            {
                "experiment_id": i,
                "name": name,
                "artifact_location": f"/tmp/{i}",
                "lifecycle_stage": stage,
                "creation_time": created,
                "last_update_time": updated,
            }
            for i, (name, stage, created, updated, _) in EXPERIMENTS.items()
        ],
    )
    yield (
        insert(schema.experiment_tags),
        [
            {"experiment_id": i, "key": k, "value": v}
            for i, (*_, tags) in EXPERIMENTS.items()
            for k, v in tags.items()
        ],
    )
    yield (
        insert(schema.runs),
        [
            {
                "run_id": run_id,
                "experiment_id": exp,
                "name": name,
                "status": status,
                "user_id": user,
                "start_time": start,
                "end_time": end,
                "lifecycle_stage": stage,
                "artifact_uri": f"file:///tmp/{run_id}/artifacts",
            }
            for run_id, (exp, name, status, user, start, end, stage) in RUNS.items()
        ],
    )
    yield (
        insert(schema.latest_metrics),
        [
            _metric(run_id, key, value)
            for run_id, kv in METRICS.items()
            for key, value in kv.items()
        ],
    )
    yield insert(schema.params), _key_values(PARAMS)
    yield insert(schema.run_tags), _key_values(TAGS)
    yield (
        insert(schema.datasets),
        [
            {
                "dataset_id": i,
                "experiment_id": 1,
                "name": n,
                "digest": d,
                "source_type": "local",
                "source": "{}",
            }
            for i, n, d in DATASETS
        ],
    )
    yield (
        insert(schema.run_inputs),
        [
            {"input_id": i, "run_id": run, "kind": kind, "source_id": source}
            for i, (run, kind, source, _) in INPUTS.items()
        ],
    )
    yield (
        insert(schema.input_tags),
        [
            {"input_id": i, "key": "mlflow.data.context", "value": context}
            for i, (*_, context) in INPUTS.items()
            if context is not None
        ],
    )


def _metric(run_id: str, key: str, value: float) -> dict[str, Any]:
    # The schema's storage of non-finite values: NaN -> 0 + is_nan, +/-Inf -> +/-DBL_MAX.
    stored = 0.0 if math.isnan(value) else max(-DBL_MAX, min(DBL_MAX, value))
    return {
        "run_id": run_id,
        "key": key,
        "step": 0,
        "timestamp": 0,
        "value": stored,
        "is_nan": math.isnan(value),
    }


def _key_values(by_run: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    return [{"run_id": r, "key": k, "value": v} for r, kv in by_run.items() for k, v in kv.items()]


def _ids(engine: Engine, query: Select[Any]) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def _search(
    engine: Engine,
    filter_string: str | None = None,
    order_by: Sequence[str] | None = None,
    view: ViewType = ViewType.ACTIVE_ONLY,
    experiment_ids: Sequence[str] = ("1",),
) -> list[str]:
    return _ids(engine, runs_query(experiment_ids, filter_string, view, order_by))


def _check_filters(engine: Engine, expected: dict[str, list[str]]) -> None:
    """Run every filter; compare all results at once so one failure shows the whole picture."""
    assert {f: _search(engine, f) for f in expected} == expected


def test_metric_filters_with_nan_and_infinity(engine: Engine) -> None:
    _check_filters(
        engine,
        {
            "metrics.m > 0": ["inf", "b", "a"],
            "metrics.m < 0": ["ninf"],
            "metrics.m = 1": ["a"],
            "metrics.m != 1": ["ninf", "inf", "nan", "b"],  # NaN differs from everything
            "metrics.m = 0": [],  # the 0 stored for NaN never matches
            "metrics.m != 0": ["ninf", "inf", "nan", "b", "a"],
            "metrics.m <= 1.5": ["ninf", "a"],
            "metrics.m >= -1e400": ["ninf", "inf", "b", "a"],
            "metrics.m = 1e400": ["inf"],
            "metrics.m >= 1e400": ["inf"],
            "metrics.m < 1e400": ["ninf", "b", "a"],
            "metrics.m > 1e308": ["inf"],
            "metrics.loss = 0.5": ["b", "a"],
            "metrics.missing != 1": [],
            "metrics.M > 0": [],  # keys are case-sensitive (MySQL's collation is not)
        },
    )


def test_param_and_tag_filters(engine: Engine) -> None:
    _check_filters(
        engine,
        {
            "params.p = 'abc'": ["b"],
            "params.p = 'ABC'": [],
            "params.p != 'abc'": ["ninf", "inf", "nan", "a"],
            "params.missing != 'x'": [],
            "params.P = 'abc'": [],
            "params.p IS NULL": ["none"],
            "params.p IS NOT NULL": ["ninf", "inf", "nan", "b", "a"],
            "tags.`my tag` = 'v'": ["b"],
            "tags.`mlflow.runName` = 'alpha'": ["a"],
            "tags.t = 'f*o?[x]'": ["nan"],
            "tags.t = 'back\\slash'": ["inf"],
        },
    )


def test_like_is_case_sensitive_and_ilike_is_not(engine: Engine) -> None:
    _check_filters(
        engine,
        {
            "params.p LIKE 'a%'": ["inf", "b"],
            "params.p ILIKE 'a%'": ["ninf", "inf", "b", "a"],
            "params.p LIKE 'a_c'": ["inf", "b"],
            "params.p ILIKE 'A_C'": ["ninf", "inf", "b", "a"],
            "params.p LIKE 'a\\_c'": ["inf"],  # an escaped wildcard is literal
            "params.p ILIKE 'a\\_c'": ["ninf", "inf"],
            "params.p LIKE '%\\%%'": ["nan"],
            "tags.t LIKE 'F%'": ["a"],
            "tags.t ILIKE 'f%'": ["nan", "b", "a"],
            "tags.t LIKE '_oo'": ["b", "a"],
            "tags.t LIKE 'f*o?[x]'": ["nan"],  # GLOB's metacharacters are plain characters
            "tags.t LIKE 'f%]'": ["nan"],
            "tags.t LIKE 'back\\\\slash'": ["inf"],
            "tags.t LIKE 'back\\'": [],  # a dangling escape is a literal backslash
            "attributes.status LIKE 'run%'": [],
            "attributes.status ILIKE 'run%'": ["none", "b"],
            "attributes.run_name LIKE 'b%'": [],
            "attributes.run_name ILIKE 'b%'": ["b"],
        },
    )


def test_attribute_filters(engine: Engine) -> None:
    _check_filters(
        engine,
        {
            "attributes.run_id IN ('a', 'b')": ["b", "a"],
            "attributes.run_id NOT IN ('a', 'b')": ["none", "ninf", "inf", "nan"],
            "attributes.run_id = 'A'": [],
            "attributes.run_id IN ('A')": [],
            "run_id != 'a'": ["none", "ninf", "inf", "nan", "b"],
            "attributes.run_name = 'alpha'": ["a"],
            "attributes.`run name` = 'Beta'": ["b"],
            "attributes.run_name = 'beta'": [],
            "status = 'RUNNING'": ["none", "b"],
            "status != 'RUNNING'": ["ninf", "inf", "nan", "a"],
            "user_id = 'carol'": ["none", "ninf"],
            "artifact_uri LIKE '%/a/artifacts'": ["a"],
            "start_time >= 5": ["none", "ninf"],
            "attributes.created < 2": ["a"],
            "start_time != 3": ["none", "ninf", "inf", "b", "a"],
            "end_time > 20": ["ninf", "inf", "nan"],
            "end_time <= 10": ["a"],  # runs without an end time never match
        },
    )


def test_dataset_filters(engine: Engine) -> None:
    _check_filters(
        engine,
        {
            "datasets.name = 'train_set'": ["a"],
            "datasets.name IN ('Eval_set')": ["b", "a"],
            "datasets.name NOT IN ('train_set', 'Eval_set')": [],
            "datasets.name != 'train_set'": ["b", "a"],
            "datasets.name LIKE 'eval%'": [],
            "datasets.name ILIKE 'eval%'": ["b", "a"],
            "datasets.digest = 'd1'": ["a"],
            "datasets.context = 'training'": ["a"],
            "datasets.context LIKE 'eval%'": ["b"],
            "datasets.context ILIKE 'eval%'": ["b", "a"],
            "datasets.context IN ('Eval', 'nope')": ["a"],
        },
    )


def test_or_and_parentheses(engine: Engine) -> None:
    _check_filters(
        engine,
        {
            "metrics.m > 1 OR params.p = 'Abc'": ["inf", "b", "a"],
            "params.p ILIKE 'a%' AND metrics.m > 1 OR run_name = 'empty'": ["none", "inf", "b"],
            "params.p ILIKE 'a%' AND (metrics.m > 1 OR run_name = 'empty')": ["inf", "b"],
            "(status = 'RUNNING' OR status = 'KILLED') AND user_id = 'carol'": ["none", "ninf"],
            "params.p IS NULL OR (tags.t LIKE 'f%' AND metrics.m != 1)": ["none", "nan", "b"],
        },
    )


def test_order_by_metric_puts_nan_then_missing_last(engine: Engine) -> None:
    assert _search(engine, order_by=["metrics.m"]) == ["ninf", "a", "b", "inf", "nan", "none"]
    assert _search(engine, order_by=["metrics.m DESC"]) == ["inf", "b", "a", "ninf", "nan", "none"]


def test_filter_and_order_on_the_same_metric(engine: Engine) -> None:
    # A filter that only present, non-NaN values meet lets the sort skip the missing/NaN rank.
    assert _search(engine, "metrics.m > 0", ["metrics.m DESC"]) == ["inf", "b", "a"]
    assert _search(engine, "metrics.m >= -1e400", ["metrics.m"]) == ["ninf", "a", "b", "inf"]
    bounded = "metrics.m > 0 and metrics.m < 1e400 and params.p ILIKE 'a%'"
    assert _search(engine, bounded, ["metrics.m DESC"]) == ["b", "a"]
    assert _search(engine, "metrics.loss = 0.5", ["metrics.loss"]) == ["b", "a"]  # tie: newest
    # `!=` also matches NaN, and OR does not require the metric: both keep the rank.
    assert _search(engine, "metrics.m != 1", ["metrics.m DESC"]) == ["inf", "b", "ninf", "nan"]
    either = "metrics.m > 0 or params.p = 'A_C'"
    assert _search(engine, either, ["metrics.m DESC"]) == ["inf", "b", "a", "ninf"]
    second = ["metrics.loss", "metrics.m DESC"]  # loss may be missing, m may not
    assert _search(engine, "metrics.m > 0", second) == ["b", "a", "inf"]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the plan format is SQLite's
def test_filter_and_order_on_one_metric_walks_its_index(engine: Engine) -> None:
    query = runs_query(["1"], "metrics.m > 0", ViewType.ACTIVE_ONLY, ["metrics.m DESC"])
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    assert any("ix_latest_metrics_key_value" in step for step in plan), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan  # only the tie-breakers are sorted


def test_order_by_param_and_tag_puts_missing_last(engine: Engine) -> None:
    ascending = ["nan", "a", "b", "inf", "none", "ninf"]  # missing: newest first
    assert _search(engine, order_by=["params.order"]) == ascending
    descending = ["inf", "b", "a", "nan", "none", "ninf"]
    assert _search(engine, order_by=["params.order DESC"]) == descending
    by_tag = ["b", "a", "nan", "none", "ninf", "inf"]
    assert _search(engine, order_by=["tags.rank DESC"]) == by_tag


def test_order_by_several_keys(engine: Engine) -> None:
    order = ["metrics.loss", "params.order DESC"]
    assert _search(engine, order_by=order) == ["b", "a", "inf", "nan", "none", "ninf"]
    by_user = ["attributes.user_id", "attributes.start_time"]
    assert _search(engine, order_by=by_user) == ["a", "nan", "b", "inf", "ninf", "none"]


def test_order_by_attributes(engine: Engine) -> None:
    assert _search(engine, order_by=["attributes.start_time"]) == DEFAULT_ORDER[::-1]
    assert _search(engine, order_by=["created DESC"]) == DEFAULT_ORDER
    # Runs without an end time sort last both ways; ties fall back to start_time DESC.
    ending = ["a", "nan", "inf", "ninf", "none", "b"]
    assert _search(engine, order_by=["end_time"]) == ending
    assert _search(engine, order_by=["end_time DESC"]) == ["ninf", "inf", "nan", "a", "none", "b"]
    by_id = ["none", "ninf", "nan", "inf", "b", "a"]
    assert _search(engine, order_by=["attributes.run_id DESC"]) == by_id


def test_default_order_breaks_ties_by_run_id(engine: Engine) -> None:
    assert _search(engine) == DEFAULT_ORDER
    assert _search(engine, experiment_ids=["2"]) == ["far", "tie"]


def test_view_types_and_experiment_ids(engine: Engine) -> None:
    assert _search(engine, view=ViewType.DELETED_ONLY) == ["gone"]
    assert _search(engine, view=ViewType.ALL) == ["gone", *DEFAULT_ORDER]
    both = _search(engine, "metrics.m = 1", view=ViewType.ALL, experiment_ids=["1", "2"])
    assert both == ["far", "gone", "a"]
    assert _search(engine, experiment_ids=["not-a-number"]) == []
    assert _search(engine, experiment_ids=[]) == []


def _experiments(
    engine: Engine,
    filter_string: str | None = None,
    order_by: Sequence[str] | None = None,
    view: ViewType = ViewType.ACTIVE_ONLY,
) -> list[int]:
    return _ids(engine, experiments_query(filter_string, view, order_by))


def test_experiment_filters(engine: Engine) -> None:
    results = {
        f: _experiments(engine, f)
        for f in [
            "name = 'alpha'",
            "name != 'alpha'",
            "name LIKE 'alpha%'",
            "name LIKE 'ALPHA%'",
            "name ILIKE 'ALPHA%'",
            "name ILIKE 'b%'",
            "name = 'beta'",
            "experiment_id IN ('1', '2', 'x')",
            "experiment_id = '3'",
            "experiment_id = 'x'",
            "experiment_id != '3'",
            "experiment_id NOT IN ('1', 'x')",
            "tags.k = 'v'",
            "tags.k ILIKE 'v'",
            "tags.k != 'v'",
            "tags.k IS NULL",
            "tags.k IS NOT NULL",
            "creation_time >= 300",
            "last_update_time > 300",
            "name = 'exp' OR tags.note = 'x'",
        ]
    }
    assert results == {
        "name = 'alpha'": [3],
        "name != 'alpha'": [5, 2, 1],
        "name LIKE 'alpha%'": [3, 5],
        "name LIKE 'ALPHA%'": [],
        "name ILIKE 'ALPHA%'": [3, 5],
        "name ILIKE 'b%'": [2],
        "name = 'beta'": [],
        "experiment_id IN ('1', '2', 'x')": [2, 1],
        "experiment_id = '3'": [3],
        "experiment_id = 'x'": [],
        "experiment_id != '3'": [5, 2, 1],
        "experiment_id NOT IN ('1', 'x')": [3, 5, 2],
        "tags.k = 'v'": [3],
        "tags.k ILIKE 'v'": [3, 2],
        "tags.k != 'v'": [2],
        "tags.k IS NULL": [5, 1],
        "tags.k IS NOT NULL": [3, 2],
        "creation_time >= 300": [3, 5],
        "last_update_time > 300": [5],
        "name = 'exp' OR tags.note = 'x'": [5, 1],
    }


def test_experiment_order_and_view_types(engine: Engine) -> None:
    # Default: newest first, ties by ascending id (3 and 5 share a creation time).
    assert _experiments(engine) == [3, 5, 2, 1]
    assert _experiments(engine, view=ViewType.DELETED_ONLY) == [4]
    assert _experiments(engine, view=ViewType.ALL) == [4, 3, 5, 2, 1]
    # With an explicit order, ties go newest id first (MLflow's tie-breaker).
    assert _experiments(engine, order_by=["creation_time"]) == [1, 2, 5, 3]
    assert _experiments(engine, order_by=["last_update_time DESC"]) == [5, 3, 2, 1]
    assert _experiments(engine, order_by=["experiment_id DESC"]) == [5, 3, 2, 1]
    assert _experiments(engine, "name LIKE 'alpha%'", ["name DESC"]) == [5, 3]


def test_invalid_searches_fail_before_reaching_the_database() -> None:
    with pytest.raises(InvalidParameter, match="Invalid comparator"):
        runs_query(["1"], "params.p > 'a'", ViewType.ALL, None)
    with pytest.raises(InvalidParameter, match="Could not be parsed"):
        runs_query(["1"], None, ViewType.ALL, ["metrics.m DESC ASC"])
    with pytest.raises(InvalidParameter, match="Invalid entity type 'metrics'"):
        experiments_query("metrics.m > 1", ViewType.ALL, None)


@pytest.mark.parametrize(
    ("pattern", "glob"),
    [
        ("a%", "a*"),
        ("a_c", "a?c"),
        ("a\\%b", "a%b"),
        ("a\\_", "a_"),
        ("f*o?[x]", "f[*]o[?][[]x]"),
        ("back\\\\slash", "back\\slash"),
    ],
)
def test_like_to_glob(pattern: str, glob: str) -> None:
    assert like_to_glob(pattern) == glob
