"""Tables of the SQL tracking store, shaped for the hot paths.

- metric history is clustered by (run, key, step, timestamp): a history read is one range scan,
  and re-sending an identical point is a no-op (idempotent retries);
- `latest_metrics` keeps one row per (run, key) so search and tables never scan history;
- NaN is stored as value 0 with `is_nan`, +/-Inf as +/-DBL_MAX (MySQL has neither).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

KEY = 250  # MLflow's MAX_ENTITY_KEY_LENGTH
RUN_ID = 32
# Large text: Text maps to TEXT (64 KiB) on MySQL, which bounds tag and param values.
Value = Text().with_variant(Text(length=2**24 - 1), "mysql")
Blob = LargeBinary().with_variant(LargeBinary(length=2**24 - 1), "mysql")  # MEDIUMBLOB

experiments = Table(
    "experiments",
    metadata,
    Column("experiment_id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("artifact_location", Text, nullable=False),
    Column("lifecycle_stage", String(20), nullable=False, default="active"),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_update_time", BigInteger, nullable=False),
    Column("deleted_time", BigInteger, nullable=True),
)

experiment_tags = Table(
    "experiment_tags",
    metadata,
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("key", String(KEY), nullable=False),
    Column("value", Value, nullable=False),
    PrimaryKeyConstraint("experiment_id", "key"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(RUN_ID), primary_key=True),
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(KEY), nullable=False),
    Column("user_id", String(256), nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("start_time", BigInteger, nullable=True),
    Column("end_time", BigInteger, nullable=True),
    Column("lifecycle_stage", String(20), nullable=False, default="active"),
    Column("artifact_uri", Text, nullable=False),
    Column("deleted_time", BigInteger, nullable=True),
    # The default search: one experiment, active runs, newest first.
    Index("ix_runs_experiment_stage_start", "experiment_id", "lifecycle_stage", "start_time"),
)

run_tags = Table(
    "run_tags",
    metadata,
    Column("run_id", String(RUN_ID), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("key", String(KEY), nullable=False),
    Column("value", Value, nullable=False),
    PrimaryKeyConstraint("run_id", "key"),
    Index("ix_run_tags_key", "key"),
)

params = Table(
    "params",
    metadata,
    Column("run_id", String(RUN_ID), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("key", String(KEY), nullable=False),
    Column("value", Value, nullable=False),
    PrimaryKeyConstraint("run_id", "key"),
    Index("ix_params_key", "key"),
)

metrics = Table(
    "metrics",
    metadata,
    Column("run_id", String(RUN_ID), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("key", String(KEY), nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("is_nan", Boolean, nullable=False, default=False),
    Column("model_id", String(64), nullable=True),
    Column("dataset_name", String(500), nullable=True),
    Column("dataset_digest", String(36), nullable=True),
    PrimaryKeyConstraint("run_id", "key", "step", "timestamp", "value", "is_nan"),
)

# Long histories packed per logged batch (see history_chunks.py): steps, timestamps and values
# as little-endian arrays in one blob, keyed by a digest of the points so re-sends are no-ops.
metric_chunks = Table(
    "metric_chunks",
    metadata,
    Column("run_id", String(RUN_ID), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("key", String(KEY), nullable=False),
    Column("digest", String(32), nullable=False),
    Column("first_step", BigInteger, nullable=False),
    Column("last_step", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
    Column("points", Blob, nullable=False),
    PrimaryKeyConstraint("run_id", "key", "digest"),
)

latest_metrics = Table(
    "latest_metrics",
    metadata,
    Column("run_id", String(RUN_ID), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("key", String(KEY), nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("is_nan", Boolean, nullable=False, default=False),
    Column("model_id", String(64), nullable=True),
    Column("dataset_name", String(500), nullable=True),
    Column("dataset_digest", String(36), nullable=True),
    PrimaryKeyConstraint("run_id", "key"),
    # search "metrics.k > x" and "order by metrics.k" read this index, not the runs.
    Index("ix_latest_metrics_key_value", "key", "value"),
)

datasets = Table(
    "datasets",
    metadata,
    Column("dataset_id", String(36), primary_key=True),
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(500), nullable=False),
    Column("digest", String(36), nullable=False),
    Column("source_type", String(36), nullable=False),
    Column("source", Value, nullable=False),
    Column("schema", Value, nullable=True),
    Column("profile", Value, nullable=True),
    UniqueConstraint("experiment_id", "name", "digest"),
)

# What a run used or produced: a dataset (kind "dataset") or a logged model
# ("model_input" / "model_output").
run_inputs = Table(
    "run_inputs",
    metadata,
    Column("input_id", String(36), primary_key=True),
    Column("run_id", String(RUN_ID), ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("step", BigInteger, nullable=True),
    UniqueConstraint("run_id", "kind", "source_id"),
)

input_tags = Table(
    "input_tags",
    metadata,
    Column(
        "input_id",
        String(36),
        ForeignKey("run_inputs.input_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("key", String(255), nullable=False),
    Column("value", String(500), nullable=False),
    PrimaryKeyConstraint("input_id", "key"),
)

logged_models = Table(
    "logged_models",
    metadata,
    Column("model_id", String(64), primary_key=True),
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(500), nullable=False),
    Column("artifact_location", Text, nullable=False),
    Column("creation_timestamp", BigInteger, nullable=False),
    Column("last_updated_timestamp", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("lifecycle_stage", String(20), nullable=False, default="active"),
    Column("model_type", String(500), nullable=True),
    Column("source_run_id", String(RUN_ID), nullable=True),
    Column("status_message", Text, nullable=True),
    Index("ix_logged_models_experiment", "experiment_id", "creation_timestamp"),
)

logged_model_tags = Table(
    "logged_model_tags",
    metadata,
    Column(
        "model_id",
        String(64),
        ForeignKey("logged_models.model_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("key", String(KEY), nullable=False),
    Column("value", Value, nullable=False),
    PrimaryKeyConstraint("model_id", "key"),
)

logged_model_params = Table(
    "logged_model_params",
    metadata,
    Column(
        "model_id",
        String(64),
        ForeignKey("logged_models.model_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("key", String(KEY), nullable=False),
    Column("value", Value, nullable=False),
    PrimaryKeyConstraint("model_id", "key"),
)

# The tracking store's own tables (the model registry declares its tables on `metadata` too).
TABLES = (
    experiments,
    experiment_tags,
    runs,
    run_tags,
    params,
    metrics,
    metric_chunks,
    latest_metrics,
    datasets,
    run_inputs,
    input_tags,
    logged_models,
    logged_model_tags,
    logged_model_params,
)
