"""Tables of the SQL model registry, declared on the tracking schema's `metadata`.

One Alembic history covers both stores (revision 0002 creates these). Children reference their
parent with ON UPDATE/DELETE CASCADE in a single chain (model -> versions -> tags, aliases), so a
rename or delete is one statement and stays atomic on every database.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from mltrail.store.tracking.sql.schema import KEY, RUN_ID, Value, metadata

NAME = 256  # registered model names and aliases
STAGE = 20

registered_models = Table(
    "registered_models",
    metadata,
    Column("name", String(NAME), primary_key=True),
    Column("creation_timestamp", BigInteger, nullable=False),
    Column("last_updated_timestamp", BigInteger, nullable=False),
    Column("description", Text, nullable=True),
    Column("user_id", String(256), nullable=True),
    # Versions are numbered from this counter so a deleted number is never reused.
    Column("next_version", Integer, nullable=False, default=1),
)

registered_model_tags = Table(
    "registered_model_tags",
    metadata,
    Column(
        "name",
        String(NAME),
        ForeignKey("registered_models.name", ondelete="CASCADE", onupdate="CASCADE"),
        nullable=False,
    ),
    Column("key", String(KEY), nullable=False),
    Column("value", Value, nullable=False),
    PrimaryKeyConstraint("name", "key"),
)

model_versions = Table(
    "model_versions",
    metadata,
    Column(
        "name",
        String(NAME),
        ForeignKey("registered_models.name", ondelete="CASCADE", onupdate="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("creation_timestamp", BigInteger, nullable=False),
    Column("last_updated_timestamp", BigInteger, nullable=False),
    Column("description", Text, nullable=True),
    Column("user_id", String(256), nullable=True),
    Column("current_stage", String(STAGE), nullable=False),
    Column("source", Text, nullable=True),
    Column("run_id", String(RUN_ID), nullable=True),
    Column("run_link", Text, nullable=True),
    Column("status", String(STAGE), nullable=False),
    Column("status_message", Text, nullable=True),
    Column("model_id", String(64), nullable=True),
    PrimaryKeyConstraint("name", "version"),
    # latest_versions and transitions look versions up by (model, stage).
    Index("ix_model_versions_name_current_stage", "name", "current_stage"),
)


def _version_owner() -> ForeignKeyConstraint:
    """A fresh (name, version) -> model_versions key: each table needs its own constraint name."""
    return ForeignKeyConstraint(
        ["name", "version"],
        ["model_versions.name", "model_versions.version"],
        ondelete="CASCADE",
        onupdate="CASCADE",
    )


model_version_tags = Table(
    "model_version_tags",
    metadata,
    Column("name", String(NAME), nullable=False),
    Column("version", Integer, nullable=False),
    Column("key", String(KEY), nullable=False),
    Column("value", Value, nullable=False),
    PrimaryKeyConstraint("name", "version", "key"),
    _version_owner(),
)

# An alias names one version: deleting the version (or its model) drops the alias.
registered_model_aliases = Table(
    "registered_model_aliases",
    metadata,
    Column("name", String(NAME), nullable=False),
    Column("alias", String(NAME), nullable=False),
    Column("version", Integer, nullable=False),
    PrimaryKeyConstraint("name", "alias"),
    _version_owner(),
)

# Webhooks (revision 0004). Events are rows so "who listens to X" is one indexed lookup.
webhooks = Table(
    "webhooks",
    metadata,
    Column("webhook_id", String(36), primary_key=True),
    Column("name", String(63), nullable=False),
    Column("description", Text, nullable=True),
    Column("url", Text, nullable=False),
    Column("status", String(STAGE), nullable=False),
    Column("secret", Text, nullable=True),
    Column("creation_timestamp", BigInteger, nullable=False),
    Column("last_updated_timestamp", BigInteger, nullable=False),
    Index("ix_webhooks_creation_timestamp", "creation_timestamp"),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    Column(
        "webhook_id",
        String(36),
        ForeignKey("webhooks.webhook_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("entity", String(50), nullable=False),
    Column("action", String(50), nullable=False),
    PrimaryKeyConstraint("webhook_id", "entity", "action"),
    Index("ix_webhook_events_entity_action", "entity", "action"),
)
