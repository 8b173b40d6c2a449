"""Initial tracking schema: experiments, runs, metrics, params, tags, inputs, logged models.

A frozen snapshot of `schema.py` at this revision; later changes go into new revisions.
On MySQL/MariaDB tables use the binary utf8mb4 collation so keys and names compare
case-sensitively, as on SQLite and PostgreSQL ("lr" and "LR" are different params).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KEY = 250
RUN_ID = 32
VALUE = sa.Text().with_variant(sa.Text(length=2**24 - 1), "mysql")
MYSQL_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def _table(name: str, *elements: Any) -> None:
    op.create_table(name, *elements, **MYSQL_OPTIONS)


Owner = tuple[str, Any, str]  # (column, type, parent table)


def _owner(column: str, type_: Any, parent: str, child: str) -> sa.Column[Any]:
    """`child`'s cascading reference to the row of `parent` that owns it (same column name)."""
    return sa.Column(
        column,
        type_,
        sa.ForeignKey(
            f"{parent}.{column}", ondelete="CASCADE", name=f"fk_{child}_{column}_{parent}"
        ),
        nullable=False,
    )


def _key_value_table(name: str, owner: sa.Column[Any], owner_name: str) -> None:
    _table(
        name,
        owner,
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("value", VALUE, nullable=False),
        sa.PrimaryKeyConstraint(owner_name, "key", name=f"pk_{name}"),
    )


def _metric_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(precision=53), nullable=False),
        sa.Column("is_nan", sa.Boolean(), nullable=False),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.Column("dataset_name", sa.String(500), nullable=True),
        sa.Column("dataset_digest", sa.String(36), nullable=True),
    ]


EXPERIMENT: Owner = ("experiment_id", sa.Integer(), "experiments")
RUN: Owner = ("run_id", sa.String(RUN_ID), "runs")


def upgrade() -> None:
    _create_experiment_tables()
    _create_run_tables()
    _create_input_tables(EXPERIMENT, RUN)
    _create_logged_model_tables(EXPERIMENT)


def _create_experiment_tables() -> None:
    _table(
        "experiments",
        sa.Column("experiment_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.Text(), nullable=False),
        sa.Column("lifecycle_stage", sa.String(20), nullable=False),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.Column("deleted_time", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("experiment_id", name="pk_experiments"),
        sa.UniqueConstraint("name", name="uq_experiments_name"),
    )
    _key_value_table("experiment_tags", _owner(*EXPERIMENT, "experiment_tags"), "experiment_id")


def _create_run_tables() -> None:
    _table(
        "runs",
        sa.Column("run_id", sa.String(RUN_ID), nullable=False),
        _owner(*EXPERIMENT, "runs"),
        sa.Column("name", sa.String(KEY), nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("start_time", sa.BigInteger(), nullable=True),
        sa.Column("end_time", sa.BigInteger(), nullable=True),
        sa.Column("lifecycle_stage", sa.String(20), nullable=False),
        sa.Column("artifact_uri", sa.Text(), nullable=False),
        sa.Column("deleted_time", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
    )
    op.create_index(
        "ix_runs_experiment_stage_start", "runs", ["experiment_id", "lifecycle_stage", "start_time"]
    )
    for name in ("run_tags", "params"):
        _key_value_table(name, _owner(*RUN, name), "run_id")
        op.create_index(f"ix_{name}_key", name, ["key"])
    _table(
        "metrics",
        _owner(*RUN, "metrics"),
        *_metric_columns(),
        sa.PrimaryKeyConstraint(
            "run_id", "key", "step", "timestamp", "value", "is_nan", name="pk_metrics"
        ),
    )
    _table(
        "latest_metrics",
        _owner(*RUN, "latest_metrics"),
        *_metric_columns(),
        sa.PrimaryKeyConstraint("run_id", "key", name="pk_latest_metrics"),
    )
    op.create_index("ix_latest_metrics_key_value", "latest_metrics", ["key", "value"])


def _create_input_tables(experiment: Owner, run: Owner) -> None:
    _table(
        "datasets",
        sa.Column("dataset_id", sa.String(36), nullable=False),
        _owner(*experiment, "datasets"),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("digest", sa.String(36), nullable=False),
        sa.Column("source_type", sa.String(36), nullable=False),
        sa.Column("source", VALUE, nullable=False),
        sa.Column("schema", VALUE, nullable=True),
        sa.Column("profile", VALUE, nullable=True),
        sa.PrimaryKeyConstraint("dataset_id", name="pk_datasets"),
        sa.UniqueConstraint(
            "experiment_id", "name", "digest", name="uq_datasets_experiment_id_name_digest"
        ),
    )
    _table(
        "run_inputs",
        sa.Column("input_id", sa.String(36), nullable=False),
        _owner(*run, "run_inputs"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("input_id", name="pk_run_inputs"),
        sa.UniqueConstraint(
            "run_id", "kind", "source_id", name="uq_run_inputs_run_id_kind_source_id"
        ),
    )
    _table(
        "input_tags",
        _owner("input_id", sa.String(36), "run_inputs", "input_tags"),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("input_id", "key", name="pk_input_tags"),
    )


def _create_logged_model_tables(experiment: Owner) -> None:
    _table(
        "logged_models",
        sa.Column("model_id", sa.String(64), nullable=False),
        _owner(*experiment, "logged_models"),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.Text(), nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("lifecycle_stage", sa.String(20), nullable=False),
        sa.Column("model_type", sa.String(500), nullable=True),
        sa.Column("source_run_id", sa.String(RUN_ID), nullable=True),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("model_id", name="pk_logged_models"),
    )
    op.create_index(
        "ix_logged_models_experiment", "logged_models", ["experiment_id", "creation_timestamp"]
    )
    for name in ("logged_model_tags", "logged_model_params"):
        model = _owner("model_id", sa.String(64), "logged_models", name)
        _key_value_table(name, model, "model_id")


def downgrade() -> None:
    for name in (
        "logged_model_params",
        "logged_model_tags",
        "logged_models",
        "input_tags",
        "run_inputs",
        "datasets",
        "latest_metrics",
        "metrics",
        "params",
        "run_tags",
        "runs",
        "experiment_tags",
        "experiments",
    ):
        op.drop_table(name)
