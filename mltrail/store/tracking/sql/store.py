"""`SqlTrackingStore`: the tracking store on SQLite (the embedded default), PostgreSQL or MySQL.

The store is composed of one part per aggregate (experiments, runs, run data, inputs, logged
models); this module opens the database, brings its schema to the current revision and owns
the engine's lifetime.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine

from mltrail.settings import Settings
from mltrail.store.tracking.sql.engine import (
    Database,
    create_engine_for,
    normalize_url,
    sqlite_path,
)
from mltrail.store.tracking.sql.experiments import (
    ExperimentsMixin,
    absolute_location,
    ensure_default_experiment,
)
from mltrail.store.tracking.sql.inputs import InputsMixin
from mltrail.store.tracking.sql.logged_models import LoggedModelsMixin
from mltrail.store.tracking.sql.migrations import ensure_schema, refuse_foreign_sqlite_file
from mltrail.store.tracking.sql.run_data import RunDataMixin
from mltrail.store.tracking.sql.runs import RunsMixin
from mltrail.store.uri import DEFAULT_ARTIFACTS_DIR


def _open_engine(uri: str, pool_size: int | None, max_overflow: int | None) -> Engine:
    """An engine on an up-to-date mltrail schema; refuses MLflow's databases untouched."""
    url = normalize_url(uri)
    path = sqlite_path(url)
    if path is not None:
        # Before any engine connects: connecting switches the file to WAL mode.
        refuse_foreign_sqlite_file(path, url)
    engine = create_engine_for(url, pool_size=pool_size, max_overflow=max_overflow)
    try:
        ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def upgrade_database(uri: str) -> str:
    """Create or upgrade the schema of the database at `uri`; return its revision."""
    engine = _open_engine(uri, None, None)
    try:
        from mltrail.store.tracking.sql.migrations import head_revision

        return head_revision()
    finally:
        engine.dispose()


class SqlTrackingStore(ExperimentsMixin, RunsMixin, RunDataMixin, InputsMixin, LoggedModelsMixin):
    """Implements `TrackingStore`, `LoggedModelStore` and `MaintenanceStore` on SQL.

    `artifact_root` is where new experiments keep artifacts (default: ./mlartifacts, made
    absolute); `truncate_long_values` truncates over-long param/tag values instead of
    refusing them, as MLflow does by default. `pool_size` and `max_overflow` size the
    connection pool of server databases. Options left as None come from `Settings`.
    """

    def __init__(
        self,
        uri: str,
        artifact_root: str | None = None,
        *,
        pool_size: int | None = None,
        max_overflow: int | None = None,
        truncate_long_values: bool | None = None,
    ) -> None:
        settings = Settings.from_env()
        self.uri = uri
        self._artifact_root = absolute_location(artifact_root or DEFAULT_ARTIFACTS_DIR)
        self._truncate_long_values = (
            settings.truncate_long_values if truncate_long_values is None else truncate_long_values
        )
        pool_size = settings.sqlalchemystore_pool_size if pool_size is None else pool_size
        if max_overflow is None:
            max_overflow = settings.sqlalchemystore_max_overflow
        self._db = Database(_open_engine(uri, pool_size, max_overflow))
        try:
            ensure_default_experiment(self._db, self._artifact_root)
        except BaseException:
            self._db.dispose()
            raise

    @property
    def database(self) -> Database:
        """The connections and write turn, which a registry store on the same URI shares."""
        return self._db

    @property
    def engine(self) -> Engine:
        return self._db.engine

    @property
    def artifact_root(self) -> str:
        return self._artifact_root

    def close(self) -> None:
        """Close every pooled connection; the store can reconnect if used again."""
        self._db.dispose()

    def __enter__(self) -> SqlTrackingStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlTrackingStore({self._db.engine.url.render_as_string(hide_password=True)!r})"
