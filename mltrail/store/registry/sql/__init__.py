"""The SQL model registry store (SQLite, PostgreSQL, MySQL/MariaDB); `SqlRegistryStore` is
imported lazily so the schema can be used without loading the store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mltrail.store.registry.sql.store import SqlRegistryStore

__all__ = ["SqlRegistryStore"]


def __getattr__(name: str) -> Any:
    if name == "SqlRegistryStore":
        from mltrail.store.registry.sql.store import SqlRegistryStore

        return SqlRegistryStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
