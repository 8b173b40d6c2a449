"""Model registry: registered models, versions, their tags, and aliases.

A frozen snapshot of `mltrail/store/registry/sql/schema.py` at this revision. Binary utf8mb4
collation on MySQL/MariaDB, as in 0001, so names, tags and aliases compare case-sensitively.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEY = 250
NAME = 256
STAGE = 20
RUN_ID = 32
VALUE = sa.Text().with_variant(sa.Text(length=2**24 - 1), "mysql")
MYSQL_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def _model_owner(child: str) -> sa.Column[Any]:
    return sa.Column(
        "name",
        sa.String(NAME),
        sa.ForeignKey(
            "registered_models.name",
            name=f"fk_{child}_name_registered_models",
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        nullable=False,
    )


def _version_owner(child: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["name", "version"],
        ["model_versions.name", "model_versions.version"],
        name=f"fk_{child}_name_model_versions",
        ondelete="CASCADE",
        onupdate="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "registered_models",
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(256), nullable=True),
        sa.Column("next_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_registered_models"),
        **MYSQL_OPTIONS,
    )
    op.create_table(
        "registered_model_tags",
        _model_owner("registered_model_tags"),
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("value", VALUE, nullable=False),
        sa.PrimaryKeyConstraint("name", "key", name="pk_registered_model_tags"),
        **MYSQL_OPTIONS,
    )
    _create_version_tables()


def _create_version_tables() -> None:
    op.create_table(
        "model_versions",
        _model_owner("model_versions"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(256), nullable=True),
        sa.Column("current_stage", sa.String(STAGE), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(RUN_ID), nullable=True),
        sa.Column("run_link", sa.Text(), nullable=True),
        sa.Column("status", sa.String(STAGE), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("model_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("name", "version", name="pk_model_versions"),
        **MYSQL_OPTIONS,
    )
    op.create_index(
        "ix_model_versions_name_current_stage", "model_versions", ["name", "current_stage"]
    )
    op.create_table(
        "model_version_tags",
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("value", VALUE, nullable=False),
        sa.PrimaryKeyConstraint("name", "version", "key", name="pk_model_version_tags"),
        _version_owner("model_version_tags"),
        **MYSQL_OPTIONS,
    )
    op.create_table(
        "registered_model_aliases",
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("alias", sa.String(NAME), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "alias", name="pk_registered_model_aliases"),
        _version_owner("registered_model_aliases"),
        **MYSQL_OPTIONS,
    )


def downgrade() -> None:
    for name in (
        "registered_model_aliases",
        "model_version_tags",
        "model_versions",
        "registered_model_tags",
        "registered_models",
    ):
        op.drop_table(name)
