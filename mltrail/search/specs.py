"""What each kind of search accepts, declared as data: entities, keys, operators, order-by keys.

A new searchable resource is one more `SearchSpec`; the parser needs no change.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from mltrail.search.ast import Entity, Op


class ValueKind(enum.Enum):
    STRING = "string"
    NUMBER = "number"


@dataclass(frozen=True)
class Field:
    """How one key is compared: the literal it takes and the operators it allows."""

    kind: ValueKind
    ops: frozenset[Op]


@dataclass(frozen=True, eq=False)
class EntityRule:
    """The keys of one entity: any key (metrics, params, tags) or a fixed set (attributes)."""

    keys: Field | Mapping[str, Field]  # a Field: every key is allowed and compared this way
    order_keys: frozenset[str] | bool = False  # True: order by any key; False: not orderable
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias -> canonical key


@dataclass(frozen=True, eq=False)
class SearchSpec:
    name: str
    rules: Mapping[Entity, EntityRule]


# The names MLflow uses in messages ("Invalid entity type ... Valid values are [...]").
ENTITY_NAMES = {
    Entity.METRIC: "metric",
    Entity.PARAM: "parameter",
    Entity.TAG: "tag",
    Entity.ATTRIBUTE: "attribute",
    Entity.DATASET: "dataset",
}

# The prefix written before the first dot, with its aliases (matched case-insensitively).
PREFIXES = {
    "metrics": Entity.METRIC,
    "metric": Entity.METRIC,
    "params": Entity.PARAM,
    "param": Entity.PARAM,
    "parameters": Entity.PARAM,
    "parameter": Entity.PARAM,
    "tags": Entity.TAG,
    "tag": Entity.TAG,
    "attributes": Entity.ATTRIBUTE,
    "attribute": Entity.ATTRIBUTE,
    "attr": Entity.ATTRIBUTE,
    "run": Entity.ATTRIBUTE,
    "datasets": Entity.DATASET,
    "dataset": Entity.DATASET,
}

NUMERIC_OPS = frozenset({Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})
STRING_OPS = frozenset({Op.EQ, Op.NE, Op.LIKE, Op.ILIKE})
NULL_OPS = frozenset({Op.IS_NULL, Op.IS_NOT_NULL})
LIST_OPS = frozenset({Op.IN, Op.NOT_IN})

NUMBER = Field(ValueKind.NUMBER, NUMERIC_OPS)
TEXT = Field(ValueKind.STRING, STRING_OPS)
TEXT_OR_LIST = Field(ValueKind.STRING, STRING_OPS | LIST_OPS)
TEXT_OR_NULL = Field(ValueKind.STRING, STRING_OPS | NULL_OPS)
ID = Field(ValueKind.STRING, frozenset({Op.EQ, Op.NE}) | LIST_OPS)

RUNS = SearchSpec(
    "runs",
    {
        Entity.METRIC: EntityRule(NUMBER, order_keys=True),
        Entity.PARAM: EntityRule(TEXT_OR_NULL, order_keys=True),
        Entity.TAG: EntityRule(TEXT_OR_NULL, order_keys=True),
        Entity.ATTRIBUTE: EntityRule(
            {
                "run_id": TEXT_OR_LIST,
                "run_name": TEXT,
                "status": TEXT,
                "user_id": TEXT,
                "artifact_uri": TEXT,
                "start_time": NUMBER,
                "end_time": NUMBER,
            },
            order_keys=frozenset(
                {"start_time", "end_time", "status", "run_name"}
                | {"run_id", "user_id", "artifact_uri"}
            ),
            aliases={
                "created": "start_time",
                "Created": "start_time",
                "run name": "run_name",
                "Run name": "run_name",
                "Run Name": "run_name",
            },
        ),
        Entity.DATASET: EntityRule(
            {"name": TEXT_OR_LIST, "digest": TEXT_OR_LIST, "context": TEXT_OR_LIST}
        ),
    },
)

EXPERIMENTS = SearchSpec(
    "experiments",
    {
        Entity.ATTRIBUTE: EntityRule(
            {
                "name": TEXT,
                "experiment_id": ID,
                "creation_time": NUMBER,
                "last_update_time": NUMBER,
            },
            order_keys=frozenset({"name", "experiment_id", "creation_time", "last_update_time"}),
        ),
        Entity.TAG: EntityRule(TEXT_OR_NULL),
    },
)

REGISTERED_MODELS = SearchSpec(
    "registered_models",
    {
        Entity.ATTRIBUTE: EntityRule(
            {"name": TEXT_OR_LIST},
            order_keys=frozenset({"name", "creation_timestamp", "last_updated_timestamp"}),
            aliases={"timestamp": "last_updated_timestamp"},
        ),
        Entity.TAG: EntityRule(TEXT),
    },
)

MODEL_VERSIONS = SearchSpec(
    "model_versions",
    {
        Entity.ATTRIBUTE: EntityRule(
            {
                "name": TEXT_OR_LIST,
                "run_id": TEXT_OR_LIST,
                "source_path": TEXT,
                "version_number": NUMBER,
            },
            order_keys=frozenset(
                {"name", "version_number", "creation_timestamp", "last_updated_timestamp"}
            ),
            aliases={"timestamp": "last_updated_timestamp"},
        ),
        Entity.TAG: EntityRule(TEXT),
    },
)
