from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mltrail.testing.databases import temporary_database


@pytest.mark.parametrize("backend", ["postgres", "mysql"])
def test_temporary_database_is_created_then_dropped(backend: str, tmp_path: Path) -> None:
    with temporary_database(backend, tmp_path) as uri:
        engine = create_engine(uri)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
        engine.dispose()
    with pytest.raises(Exception, match=r"(does not exist|Unknown database)"):
        create_engine(uri).connect()
