"""`SqlRegistryStore`: the model registry on SQLite, PostgreSQL or MySQL/MariaDB.

It shares the tracking store's engine setup and Alembic history (the registry tables are
revision 0002), so by default one database holds runs and registered models alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from sqlalchemy import Engine

from mltrail.settings import Settings
from mltrail.store.registry.sql.models import RegisteredModelsMixin
from mltrail.store.registry.sql.sources import SourceRules
from mltrail.store.registry.sql.versions import ModelVersionsMixin
from mltrail.store.registry.sql.webhooks import WebhooksMixin, seal_plain_secrets
from mltrail.store.tracking.sql.engine import Database
from mltrail.store.tracking.sql.experiments import absolute_location
from mltrail.store.tracking.sql.store import _open_engine
from mltrail.store.uri import DEFAULT_ARTIFACTS_DIR


class SqlRegistryStore(RegisteredModelsMixin, ModelVersionsMixin, WebhooksMixin):
    """Implements `RegistryStore` on SQL.

    `artifact_root` (default: ./mlartifacts, as for tracking) and `extra_artifact_roots` (a
    server's other roots) are where local version sources may live besides the artifact
    location of the version's run or logged model.
    """

    def __init__(
        self,
        uri: str,
        artifact_root: str | None = None,
        *,
        extra_artifact_roots: Sequence[str] = (),
        database: Database | None = None,
    ) -> None:
        settings = Settings.from_env()
        self.uri = uri
        root = absolute_location(
            artifact_root or settings.default_artifact_root or DEFAULT_ARTIFACTS_DIR
        )
        self._sources = SourceRules([root, *extra_artifact_roots])
        # A database lent by the tracking store (same URI) stays that store's to close.
        self._owns_db = database is None
        self._db = database or Database(
            _open_engine(
                uri, settings.sqlalchemystore_pool_size, settings.sqlalchemystore_max_overflow
            )
        )
        # Secrets written before they were encrypted (revision 0004) are sealed on first open.
        seal_plain_secrets(self._db, self._box())

    @property
    def engine(self) -> Engine:
        return self._db.engine

    def close(self) -> None:
        if self._owns_db:
            self._db.dispose()

    def __enter__(self) -> SqlRegistryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlRegistryStore({self._db.engine.url.render_as_string(hide_password=True)!r})"
