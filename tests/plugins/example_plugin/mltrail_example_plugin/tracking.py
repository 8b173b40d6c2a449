"""A tracking store on the `mytracker://` scheme: mltrail's SQL store over a SQLite file.

`mytracker:///abs/path/runs.db` keeps runs in /abs/path/runs.db.
"""

from __future__ import annotations

from urllib.parse import urlparse

from mltrail.store.tracking.sql.store import SqlTrackingStore


class MyTrackerStore(SqlTrackingStore):
    def __init__(self, uri: str, artifact_root: str | None = None) -> None:
        self.tracker_uri = uri
        super().__init__(f"sqlite:///{urlparse(uri).path}", artifact_root=artifact_root)
