"""Where a dataset came from — code, a file or object-store URI, or a web URL — as MLflow's
``source_type`` string and ``source`` JSON (``{"tags": ...}``, ``{"uri": ...}``, ``{"url": ...}``).
"""

from __future__ import annotations

import abc
import json
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from mltrail.errors import ErrorCode, MltrailError
from mltrail.store.uri import artifact_repository_for, scheme_of

# Object-store schemes whose URIs are stored as {"uri": ...} with the scheme as source_type.
REMOTE_ARTIFACT_SCHEMES = frozenset({"s3", "gs", "wasbs", "hdfs", "viewfs", "ftp", "sftp"})
LOCAL_SOURCE_TYPE = "local"
HTTP_SOURCE_TYPE = "http"
CODE_SOURCE_TYPE = "code"

# The run-context tags a code source records. The tracking layer (which knows the user,
# script and git context) registers the provider; data sits below it and cannot import it.
_context_tags_provider: Callable[[], Mapping[str, str]] | None = None


def set_context_tags_provider(provider: Callable[[], Mapping[str, str]] | None) -> None:
    global _context_tags_provider
    _context_tags_provider = provider


class DatasetSource(abc.ABC):
    """A dataset's origin; subclasses name their `source_type` and their JSON fields."""

    source_type: str

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]: ...

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def _get_source_type(self) -> str:
        # MLflow's spelling, kept for code written against it.
        return self.source_type

    def load(self, dst_path: str | None = None) -> str:
        """Download the data to `dst_path` (a temporary folder by default); return its path."""
        raise MltrailError(
            f"A {self.source_type!r} dataset source cannot be loaded.", ErrorCode.BAD_REQUEST
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DatasetSource):
            return NotImplemented
        return (self.source_type, self.to_dict()) == (other.source_type, other.to_dict())

    def __hash__(self) -> int:
        return hash((self.source_type, self.to_json()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_json()})"


class CodeDatasetSource(DatasetSource):
    """Data built in code: records the run context (user, script, git) it was made in."""

    source_type = CODE_SOURCE_TYPE

    def __init__(self, tags: Mapping[str, str] | None = None) -> None:
        self._tags = dict(tags) if tags is not None else None

    @property
    def tags(self) -> dict[str, str]:
        # Resolved on first use, normally when the dataset is logged, by which time the
        # tracking layer has registered the provider.
        if self._tags is None:
            if _context_tags_provider is None:
                return {}
            self._tags = dict(_context_tags_provider())
        return dict(self._tags)

    def to_dict(self) -> dict[str, Any]:
        return {"tags": self.tags}


class ArtifactDatasetSource(DatasetSource):
    """A file or folder: a local path ('local') or an object-store URI (its scheme)."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        scheme = scheme_of(uri)
        self.source_type = LOCAL_SOURCE_TYPE if scheme in ("", "file") else scheme

    def to_dict(self) -> dict[str, Any]:
        return {"uri": self.uri}

    def load(self, dst_path: str | None = None) -> str:
        if self.source_type == LOCAL_SOURCE_TYPE and dst_path is None:
            return urlparse(self.uri).path if self.uri.startswith("file:") else self.uri
        parent, _, name = self.uri.rstrip("/").rpartition("/")
        repository = artifact_repository_for(parent or ".")
        return repository.download_artifacts(name, dst_path or tempfile.mkdtemp())


class HTTPDatasetSource(DatasetSource):
    """Data at an http(s) URL."""

    source_type = HTTP_SOURCE_TYPE

    def __init__(self, url: str) -> None:
        self.url = url

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url}

    def load(self, dst_path: str | None = None) -> str:
        name = os.path.basename(urlparse(self.url).path) or "dataset_source"
        target = Path(dst_path or tempfile.mkdtemp()) / name
        with urllib.request.urlopen(self.url) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out)
        return str(target)


def resolve_source(source: str | DatasetSource | None) -> DatasetSource:
    """The source object for what a user passed: None (code), a path, URI or URL."""
    if source is None:
        return CodeDatasetSource()
    if isinstance(source, DatasetSource):
        return source
    if isinstance(source, str | os.PathLike):
        text = os.fspath(source)
        scheme = scheme_of(text)
        if scheme in ("http", "https"):
            return HTTPDatasetSource(text)
        if scheme in ("", "file") or scheme in REMOTE_ARTIFACT_SCHEMES:
            return ArtifactDatasetSource(text)
    raise MltrailError(
        f"Could not find a source information resolver for the specified dataset source: "
        f"{source}. Pass a local path, an http(s) URL, a URI with one of the schemes "
        f"{', '.join(sorted(REMOTE_ARTIFACT_SCHEMES))}, or a DatasetSource.",
        ErrorCode.INVALID_PARAMETER_VALUE,
    )


def get_dataset_source_from_json(source_json: str, source_type: str) -> DatasetSource:
    """Rebuild a source from the `source` and `source_type` fields a run's dataset stores."""
    try:
        fields = json.loads(source_json)
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise MltrailError(
            f"Dataset source must be a JSON object, got {source_json!r}.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    if source_type == CODE_SOURCE_TYPE:
        return CodeDatasetSource(fields.get("tags") or {})
    if source_type == HTTP_SOURCE_TYPE and "url" in fields:
        return HTTPDatasetSource(str(fields["url"]))
    is_artifact = source_type == LOCAL_SOURCE_TYPE or source_type in REMOTE_ARTIFACT_SCHEMES
    if is_artifact and "uri" in fields:
        return ArtifactDatasetSource(str(fields["uri"]))
    raise MltrailError(
        f"Unknown dataset source type {source_type!r} with fields {sorted(fields)}.",
        ErrorCode.INVALID_PARAMETER_VALUE,
    )
