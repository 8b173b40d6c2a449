"""Registry webhooks: `webhooks` and the events each listens to (`webhook_events`).

A frozen snapshot of the webhook tables in `mltrail/store/registry/sql/schema.py`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MYSQL_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("webhook_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("creation_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_timestamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("webhook_id", name="pk_webhooks"),
        **MYSQL_OPTIONS,
    )
    op.create_index("ix_webhooks_creation_timestamp", "webhooks", ["creation_timestamp"])
    op.create_table(
        "webhook_events",
        sa.Column(
            "webhook_id",
            sa.String(36),
            sa.ForeignKey(
                "webhooks.webhook_id", name="fk_webhook_events_webhook_id", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("entity", sa.String(50), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("webhook_id", "entity", "action", name="pk_webhook_events"),
        **MYSQL_OPTIONS,
    )
    op.create_index("ix_webhook_events_entity_action", "webhook_events", ["entity", "action"])


def downgrade() -> None:
    op.drop_table("webhook_events")
    op.drop_table("webhooks")
