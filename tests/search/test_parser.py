"""The search grammar: filters and order-by clauses -> AST, and MLflow-like errors."""

from __future__ import annotations

import math

import pytest

from mltrail.errors import InvalidParameter
from mltrail.search import (
    EXPERIMENTS,
    MODEL_VERSIONS,
    REGISTERED_MODELS,
    RUNS,
    And,
    Comparison,
    Entity,
    Op,
    Or,
    OrderBy,
    comparisons,
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_filter,
    parse_order_by,
    parse_run_filter,
    parse_run_order_by,
)

M, P, T, A, D = Entity.METRIC, Entity.PARAM, Entity.TAG, Entity.ATTRIBUTE, Entity.DATASET


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metrics.acc > 0.5", Comparison(M, "acc", Op.GT, 0.5)),
        ("metrics.acc>=-1e3", Comparison(M, "acc", Op.GE, -1000.0)),
        ("metrics.acc < 1.5E-3", Comparison(M, "acc", Op.LT, 0.0015)),
        ("metrics.acc <= .5", Comparison(M, "acc", Op.LE, 0.5)),
        ("metrics.acc != 5.", Comparison(M, "acc", Op.NE, 5.0)),
        ("metrics.acc = -2", Comparison(M, "acc", Op.EQ, -2)),
        ("metrics.loss/train = +3", Comparison(M, "loss/train", Op.EQ, 3)),
        ("params.lr = '0.1'", Comparison(P, "lr", Op.EQ, "0.1")),
        ('params.lr != "0.1"', Comparison(P, "lr", Op.NE, "0.1")),
        ("params.model LIKE 'res%'", Comparison(P, "model", Op.LIKE, "res%")),
        ("params.model ilike 'RES%'", Comparison(P, "model", Op.ILIKE, "RES%")),
        ("params.model is null", Comparison(P, "model", Op.IS_NULL, None)),
        ("tags.team IS NOT NULL", Comparison(T, "team", Op.IS_NOT_NULL, None)),
        ("tags.mlflow.runName = 'x'", Comparison(T, "mlflow.runName", Op.EQ, "x")),
        ("tags.`mlflow.runName` = 'x'", Comparison(T, "mlflow.runName", Op.EQ, "x")),
        ('metrics."my metric" > 1', Comparison(M, "my metric", Op.GT, 1)),
        ("metrics.`my metric` > 1", Comparison(M, "my metric", Op.GT, 1)),
        ("metrics.'my metric' > 1", Comparison(M, "my metric", Op.GT, 1)),
        ("tags.`a``b` = 'v'", Comparison(T, "a`b", Op.EQ, "v")),
        ("attributes.run_id IN ('a', 'b',)", Comparison(A, "run_id", Op.IN, ("a", "b"))),
        ('run_id not in ("a")', Comparison(A, "run_id", Op.NOT_IN, ("a",))),
        ("status = 'FINISHED'", Comparison(A, "status", Op.EQ, "FINISHED")),
        ("attributes.created >= 10", Comparison(A, "start_time", Op.GE, 10)),
        ("attribute.`Run Name` = 'r'", Comparison(A, "run_name", Op.EQ, "r")),
        ("\"run name\" = 'r'", Comparison(A, "run_name", Op.EQ, "r")),
        ("run.end_time < 1.5", Comparison(A, "end_time", Op.LT, 1.5)),
        ("datasets.name IN ('train')", Comparison(D, "name", Op.IN, ("train",))),
        ("dataset.context NOT IN ('eval')", Comparison(D, "context", Op.NOT_IN, ("eval",))),
        ("datasets.digest ILIKE 'ab%'", Comparison(D, "digest", Op.ILIKE, "ab%")),
    ],
)
def test_parses_one_comparison(text: str, expected: Comparison) -> None:
    assert parse_run_filter(text) == expected


@pytest.mark.parametrize(
    ("prefix", "entity"),
    [
        ("metrics", M),
        ("metric", M),
        ("params", P),
        ("param", P),
        ("parameters", P),
        ("parameter", P),
        ("tags", T),
        ("tag", T),
        ("Tags", T),
    ],
)
def test_entity_prefix_aliases(prefix: str, entity: Entity) -> None:
    op, value = (Op.GT, 1) if entity is M else (Op.EQ, "1")
    literal = "1" if entity is M else "'1'"
    written = ">" if entity is M else "="
    assert parse_run_filter(f"{prefix}.k {written} {literal}") == Comparison(entity, "k", op, value)


@pytest.mark.parametrize("prefix", ["attributes", "attribute", "attr", "run"])
def test_attribute_prefix_aliases(prefix: str) -> None:
    assert parse_run_filter(f"{prefix}.user_id = 'u'") == Comparison(A, "user_id", Op.EQ, "u")


def test_string_quoting_rules() -> None:
    assert parse_run_filter("params.p = 'it''s'") == Comparison(P, "p", Op.EQ, "it's")
    assert parse_run_filter('params.p = "say ""hi"""') == Comparison(P, "p", Op.EQ, 'say "hi"')
    assert parse_run_filter('params.p = "it\'s"') == Comparison(P, "p", Op.EQ, "it's")
    # Backslashes stay, so LIKE patterns can escape their wildcards.
    assert parse_run_filter(r"params.p LIKE 'a\%'") == Comparison(P, "p", Op.LIKE, r"a\%")


def test_huge_numbers_become_infinite() -> None:
    parsed = parse_run_filter("metrics.m < -1e400")
    assert isinstance(parsed, Comparison)
    assert parsed.value == -math.inf


def test_blank_filter_means_no_filter() -> None:
    assert parse_run_filter(None) is None
    assert parse_run_filter("") is None
    assert parse_run_filter("   ") is None


def test_and_binds_tighter_than_or() -> None:
    a = Comparison(M, "a", Op.GT, 1)
    b = Comparison(M, "b", Op.GT, 2)
    c = Comparison(M, "c", Op.GT, 3)
    assert parse_run_filter("metrics.a > 1 OR metrics.b > 2 AND metrics.c > 3") == Or(
        (a, And((b, c)))
    )
    assert parse_run_filter("metrics.a > 1 and metrics.b > 2 or metrics.c > 3") == Or(
        (And((a, b)), c)
    )
    assert parse_run_filter("(metrics.a > 1 OR metrics.b > 2) AND metrics.c > 3") == And(
        (Or((a, b)), c)
    )


def test_groups_of_the_same_kind_are_flattened() -> None:
    a, b, c = (Comparison(M, k, Op.GT, 1) for k in "abc")
    assert parse_run_filter("metrics.a > 1 AND (metrics.b > 1 AND metrics.c > 1)") == And((a, b, c))
    assert parse_run_filter("((metrics.a > 1)) OR (metrics.b > 1 OR metrics.c > 1)") == Or(
        (a, b, c)
    )


def test_comparisons_walks_left_to_right() -> None:
    parsed = parse_run_filter("metrics.a > 1 OR (params.b = 'x' AND tags.c IS NULL)")
    assert [c.key for c in comparisons(parsed)] == ["a", "b", "c"]
    assert list(comparisons(None)) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("params.x > '1'", "Invalid comparator '>' not one of '{'=', '!=', 'LIKE', 'ILIKE', "),
        ("metrics.x LIKE 1", "Invalid comparator 'LIKE' not one of '{'=', '!=', '<', "),
        ("metrics.x <> 1", "Invalid comparator '<>'"),
        ("metrics.x == 1", "Invalid comparator '=='"),
        ("params.x NOT LIKE 'a'", "Invalid comparator 'NOT LIKE'"),
        ("attributes.status > 'a'", "Invalid comparator '>'"),
        ("attributes.start_time LIKE 1", "Invalid comparator 'LIKE'"),
        ("datasets.name > 'a'", "Invalid comparator '>'"),
        ("params.x = abc", "Parameter value is either not quoted or unidentified quote types"),
        ("tags.x = abc", "Tag value is either not quoted"),
        (
            "params.x = 1",
            "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1",
        ),
        ("metrics.x = 'a'", "Expected numeric value type for metric. Found 'a'"),
        ("metrics.x > nan", "Expected numeric value type for metric. Found nan"),
        ("start_time = '1'", "Expected numeric value type for numeric attribute: start_time."),
        ("foo.x = '1'", "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', "),
        ("x = '1'", "Invalid attribute key 'x' specified. Valid keys are '{"),
        ("attributes.lifecycle_stage = 'active'", "Invalid attribute key 'lifecycle_stage'"),
        ("datasets.foo = 'a'", "Invalid dataset key 'foo' specified."),
        ("status IN ('a')", "Only ['run_id'] attributes support comparison with a list"),
        ("metrics.x IS NULL", "IS NULL / IS NOT NULL is only supported for parameter and tag"),
        ("run_name IS NOT NULL", "IS NULL / IS NOT NULL is only supported for"),
        ("params.x IN ('a')", "Invalid comparator 'IN'"),
        ("run_id IN ()", "expected a non-empty list of string values, but got empty list"),
        ("run_id IN ('a', 1)", "expected a list of quoted string values, but got 1"),
        ("run_id IN 'a'", "expected '(' to open a list"),
        ("run_id IN ('a' 'b')", "expected ',' or ')'"),
        ("params.x = 'open", "unterminated quote"),
        ("metrics.x > 1 AND", "expected an identifier, found end of input"),
        ("metrics.x > 1 metrics.y > 2", "expected AND, OR or the end"),
        ("metrics.x", "expected a comparison operator, found end of input"),
        ("metrics.x >", "expected a value after '>'"),
        ("(metrics.x > 1", "expected ')'"),
        ("metrics.x > 1)", "expected AND, OR or the end, found )"),
        ("metrics. > 1", "expected a key after 'metrics.'"),
        ("params.x IS 'a'", "expected NULL or IN"),
        ("metrics.x > 1.2.3", "unexpected character"),
        ("metrics.x > 1 ; drop table runs", "unexpected character ';'"),
    ],
)
def test_invalid_filters_raise_invalid_parameter(text: str, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_run_filter(text)
    assert message in str(caught.value)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    assert caught.value.get_http_status_code() == 400


def test_syntax_errors_quote_the_filter_and_position() -> None:
    with pytest.raises(InvalidParameter, match=r"^Invalid filter 'metrics.x >': .* position 11\.$"):
        parse_run_filter("metrics.x >")


@pytest.mark.parametrize(
    ("clauses", "expected"),
    [
        (["metrics.acc"], (OrderBy(M, "acc", True),)),
        (["metrics.acc DESC"], (OrderBy(M, "acc", False),)),
        (["metrics.`my acc` desc"], (OrderBy(M, "my acc", False),)),
        (['params."lr" Asc'], (OrderBy(P, "lr", True),)),
        (["tag.t DESC", "start_time"], (OrderBy(T, "t", False), OrderBy(A, "start_time"))),
        (["attributes.created DESC"], (OrderBy(A, "start_time", False),)),
        (["run.run_name", "attr.status"], (OrderBy(A, "run_name"), OrderBy(A, "status"))),
        (["  end_time   DESC  "], (OrderBy(A, "end_time", False),)),
        ([], ()),
        (None, ()),
    ],
)
def test_parses_order_by(clauses: list[str] | None, expected: tuple[OrderBy, ...]) -> None:
    assert parse_run_order_by(clauses) == expected


@pytest.mark.parametrize(
    ("clause", "message"),
    [
        ("metrics.m UP", "Invalid ordering key in order_by clause 'metrics.m UP'."),
        (
            "metrics.m DESC ASC",
            "Invalid order_by clause 'metrics.m DESC ASC'. Could not be parsed.",
        ),
        ("", "Invalid order_by clause ''. Could not be parsed."),
        ("metrics.m, params.p", "Could not be parsed."),
        ("metrics.", "Could not be parsed."),
        ("'metrics.m'", "Could not be parsed."),
        ("datasets.name", "Invalid order_by entity 'dataset'"),
        ("foo.x", "Invalid entity type 'foo'"),
        ("lifecycle_stage", "Invalid attribute key 'lifecycle_stage' specified"),
        ("experiment_id", "Invalid attribute key 'experiment_id' specified"),
    ],
)
def test_invalid_order_by(clause: str, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_run_order_by([clause])
    assert message in str(caught.value)


def test_order_by_rejects_duplicate_fields_even_through_aliases() -> None:
    with pytest.raises(InvalidParameter, match="`order_by` contains duplicate fields"):
        parse_run_order_by(["metrics.m", "metric.m DESC"])
    with pytest.raises(InvalidParameter, match="duplicate"):
        parse_run_order_by(["start_time", "created"])


def test_experiment_filters() -> None:
    assert parse_experiment_filter("name LIKE 'a%' AND tags.k IS NULL") == And(
        (Comparison(A, "name", Op.LIKE, "a%"), Comparison(T, "k", Op.IS_NULL, None))
    )
    assert parse_experiment_filter("experiment_id IN ('1', '2')") == Comparison(
        A, "experiment_id", Op.IN, ("1", "2")
    )
    assert parse_experiment_filter("creation_time > 5") == Comparison(A, "creation_time", Op.GT, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metrics.a > 1", "Invalid entity type 'metrics'. Valid values are ['attribute', 'tag']"),
        ("run_id = 'x'", "Invalid attribute key 'run_id'"),
        ("name IN ('a')", "Only ['experiment_id'] attributes support comparison with a list"),
        ("experiment_id > '1'", "Invalid comparator '>'"),
        ("experiment_id = 1", "Expected a quoted string value for attribute"),
        ("creation_time = 'x'", "Expected numeric value type for numeric attribute: creation_time"),
        ("name = alpha", "Attribute value is either not quoted"),
    ],
)
def test_invalid_experiment_filters(text: str, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_experiment_filter(text)
    assert message in str(caught.value)


def test_experiment_order_by() -> None:
    assert parse_experiment_order_by(["name", "last_update_time DESC"]) == (
        OrderBy(A, "name"),
        OrderBy(A, "last_update_time", False),
    )
    with pytest.raises(InvalidParameter, match="Invalid order_by entity 'tag'"):
        parse_experiment_order_by(["tags.k"])
    with pytest.raises(InvalidParameter, match="Invalid attribute key 'start_time'"):
        parse_experiment_order_by(["start_time"])


def test_registered_model_spec() -> None:
    assert parse_filter("name IN ('a')", REGISTERED_MODELS) == Comparison(A, "name", Op.IN, ("a",))
    assert parse_filter("tags.k ILIKE 'v%'", REGISTERED_MODELS) == Comparison(
        T, "k", Op.ILIKE, "v%"
    )
    assert parse_order_by(["timestamp DESC"], REGISTERED_MODELS) == (
        OrderBy(A, "last_updated_timestamp", False),
    )
    with pytest.raises(InvalidParameter, match="IS NULL / IS NOT NULL is only supported"):
        parse_filter("tags.k IS NULL", REGISTERED_MODELS)
    with pytest.raises(InvalidParameter, match="Invalid attribute key 'run_id'"):
        parse_filter("run_id = 'x'", REGISTERED_MODELS)


def test_model_version_spec() -> None:
    assert parse_filter("version_number >= 3 AND run_id IN ('r')", MODEL_VERSIONS) == And(
        (
            Comparison(A, "version_number", Op.GE, 3),
            Comparison(A, "run_id", Op.IN, ("r",)),
        )
    )
    assert parse_filter("source_path LIKE 's3://%'", MODEL_VERSIONS) == Comparison(
        A, "source_path", Op.LIKE, "s3://%"
    )
    with pytest.raises(InvalidParameter, match=r"Only \['name', 'run_id'\] attributes"):
        parse_filter("source_path IN ('x')", MODEL_VERSIONS)
    with pytest.raises(InvalidParameter, match="Invalid attribute key 'creation_timestamp'"):
        parse_filter("creation_timestamp > 1", MODEL_VERSIONS)
    assert parse_order_by(["version_number DESC"], MODEL_VERSIONS) == (
        OrderBy(A, "version_number", False),
    )


def test_specs_name_their_search() -> None:
    assert [spec.name for spec in (RUNS, EXPERIMENTS, REGISTERED_MODELS, MODEL_VERSIONS)] == [
        "runs",
        "experiments",
        "registered_models",
        "model_versions",
    ]
