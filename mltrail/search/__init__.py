"""MLflow's search grammar (plus OR and parentheses) parsed into a small typed AST.

Backends compile the AST (`mltrail.store.tracking.sql.search` turns it into one SQL query);
what each search accepts is declared in `specs`.
"""

from mltrail.search.ast import And, Comparison, Entity, Expr, Op, Or, OrderBy, Value, comparisons
from mltrail.search.parser import (
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_filter,
    parse_order_by,
    parse_run_filter,
    parse_run_order_by,
)
from mltrail.search.specs import (
    EXPERIMENTS,
    MODEL_VERSIONS,
    REGISTERED_MODELS,
    RUNS,
    EntityRule,
    Field,
    SearchSpec,
    ValueKind,
)

__all__ = [
    "EXPERIMENTS",
    "MODEL_VERSIONS",
    "REGISTERED_MODELS",
    "RUNS",
    "And",
    "Comparison",
    "Entity",
    "EntityRule",
    "Expr",
    "Field",
    "Op",
    "Or",
    "OrderBy",
    "SearchSpec",
    "Value",
    "ValueKind",
    "comparisons",
    "parse_experiment_filter",
    "parse_experiment_order_by",
    "parse_filter",
    "parse_order_by",
    "parse_run_filter",
    "parse_run_order_by",
]
