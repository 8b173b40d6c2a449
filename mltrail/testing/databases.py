"""Throw-away databases on the local PostgreSQL and MariaDB servers, created and dropped per use."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

POSTGRES_ADMIN_URI = os.environ.get(
    "MLTRAIL_TEST_POSTGRES_URI", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MYSQL_ADMIN_URI = os.environ.get("MLTRAIL_TEST_MYSQL_URI", "mysql+pymysql://root@127.0.0.1:3306/")

BACKENDS = ("sqlite", "postgres", "mysql")


@contextmanager
def temporary_database(backend: str, workdir: Path) -> Iterator[str]:
    """Yield the URI of a new, empty database of `backend`; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'mltrail.db'}"
        return
    name = f"mlt_test_{uuid.uuid4().hex[:12]}"
    admin_uri, db_uri = {
        "postgres": (POSTGRES_ADMIN_URI, POSTGRES_ADMIN_URI.rsplit("/", 1)[0] + f"/{name}"),
        "mysql": (MYSQL_ADMIN_URI, MYSQL_ADMIN_URI.rstrip("/") + f"/{name}?charset=utf8mb4"),
    }[backend]
    admin = create_engine(admin_uri, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        yield db_uri
    finally:
        with admin.connect() as conn:
            if backend == "postgres":
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
