"""Packed metric history: one `metric_chunks` row per key per logged batch of many points.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

KEY = 250
RUN_ID = 32
BLOB = sa.LargeBinary().with_variant(sa.LargeBinary(length=2**24 - 1), "mysql")


def upgrade() -> None:
    op.create_table(
        "metric_chunks",
        sa.Column(
            "run_id",
            sa.String(RUN_ID),
            sa.ForeignKey("runs.run_id", ondelete="CASCADE", name="fk_metric_chunks_run_id_runs"),
            nullable=False,
        ),
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("first_step", sa.BigInteger, nullable=False),
        sa.Column("last_step", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("points", BLOB, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "key", "digest", name="pk_metric_chunks"),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )


def downgrade() -> None:
    op.drop_table("metric_chunks")
