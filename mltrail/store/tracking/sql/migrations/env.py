"""Alembic environment: runs migrations on the connection handed over by `migrations.upgrade`."""

from __future__ import annotations

from importlib import import_module

from alembic import context

from mltrail.store.tracking.sql.migrations import VERSION_TABLE
from mltrail.store.tracking.sql.schema import metadata

import_module("mltrail.store.registry.sql.schema")  # declares its tables on the same metadata

if context.is_offline_mode():
    raise RuntimeError("mltrail migrations run online only: use `mltrail db upgrade <uri>`")

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
# The caller already holds a transaction (and the migration lock); this joins it.
with context.begin_transaction():
    context.run_migrations()
