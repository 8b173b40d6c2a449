"""The dataset base class: a name, a content digest, a source, and optional schema and profile,
serialised to the fields of the `Dataset` entity a run's inputs store.
"""

from __future__ import annotations

import abc
import json
from typing import Any

from mltrail.data.sources import DatasetSource
from mltrail.entities import Dataset as DatasetEntity

DEFAULT_DATASET_NAME = "dataset"


class Dataset(abc.ABC):
    """Subclasses set their data before calling ``super().__init__`` (the digest reads it)
    and implement `_compute_digest`; `schema` and `profile` are optional."""

    def __init__(
        self, source: DatasetSource, name: str | None = None, digest: str | None = None
    ) -> None:
        self._source = source
        self._name = name or DEFAULT_DATASET_NAME
        self._digest = digest or self._compute_digest()

    @abc.abstractmethod
    def _compute_digest(self) -> str:
        """A short hash identifying the content (8 hex characters for built-in datasets)."""

    @property
    def name(self) -> str:
        return self._name

    @property
    def digest(self) -> str:
        return self._digest

    @property
    def source(self) -> DatasetSource:
        return self._source

    @property
    def schema(self) -> Any | None:
        """An object with `to_json()` (or any JSON-able value); None when unknown."""
        return None

    @property
    def profile(self) -> Any | None:
        """A JSON-able summary such as row counts; None when unknown."""
        return None

    def to_dict(self) -> dict[str, str | None]:
        """MLflow's stored fields; "schema" and "profile" are JSON text, or None when unknown.

        Subclasses may extend this (as MLflow custom datasets do); `to_entity` reads it."""
        profile = self.profile
        return {
            "name": self.name,
            "digest": self.digest,
            "source": self.source.to_json(),
            "source_type": self.source._get_source_type(),
            "schema": _schema_json(self.schema),
            "profile": None if profile is None else json.dumps(profile),
        }

    def to_entity(self) -> DatasetEntity:
        fields = self.to_dict()
        return DatasetEntity(
            name=fields.get("name") or self.name,
            digest=fields.get("digest") or self.digest,
            source_type=fields.get("source_type") or self.source._get_source_type(),
            source=fields.get("source") or self.source.to_json(),
            schema=fields.get("schema"),
            profile=fields.get("profile"),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def _to_mlflow_entity(self) -> DatasetEntity:
        # MLflow's name for `to_entity`, kept for code written against it.
        return self.to_entity()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} digest={self.digest!r}>"


def _schema_json(schema: Any) -> str | None:
    if schema is None:
        return None
    to_json = getattr(schema, "to_json", None)
    return str(to_json()) if callable(to_json) else json.dumps(schema)
