"""The SQL tracking store (SQLite, PostgreSQL, MySQL/MariaDB).

`SqlTrackingStore` and `upgrade_database` are imported lazily, so `schema` and `search` can be
used without loading the whole store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mltrail.store.tracking.sql.store import SqlTrackingStore, upgrade_database

__all__ = ["SqlTrackingStore", "upgrade_database"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from mltrail.store.tracking.sql import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
