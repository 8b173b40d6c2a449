"""What a copy reads from: the `Source` protocol, and `open_source(uri)` choosing a reader.

Readers exist for MLflow's SQL databases, MLflow's legacy ``./mlruns`` folders, and any store
mltrail itself opens (an http(s) tracking server, MLflow's included, or an mltrail database).
Every reader returns mltrail entities, so the copy logic never knows where data came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlparse

from mltrail.entities import Experiment, LoggedModel, Metric, Run
from mltrail.entities.registry import ModelVersion, RegisteredModel
from mltrail.errors import ErrorCode, MltrailError
from mltrail.store.artifacts.base import ArtifactRepository

if TYPE_CHECKING:
    from mltrail.transfer.artifacts import SourceArtifacts


class Source(Protocol):
    description: str

    def experiments(self) -> Iterator[Experiment]:
        """Every experiment, deleted ones included."""
        ...

    def runs(self, experiment_id: str) -> Iterator[Run]:
        """Every run of an experiment (deleted included) with params, tags and inputs."""
        ...

    def metric_history(self, run: Run) -> Iterator[Metric]:
        """Every logged value of every metric of `run`."""
        ...

    def deleted_time(self, run: Run) -> int | None:
        """When a deleted run was deleted, if the source knows."""
        ...

    def artifacts(self, artifact_uri: str) -> ArtifactRepository | None:
        """A repository reading `artifact_uri`, or None when it cannot be read from here."""
        ...

    def registered_models(self) -> Iterator[RegisteredModel]:
        """Registered models with their tags and aliases."""
        ...

    def model_versions(self, name: str) -> list[ModelVersion]:
        """The live versions of a model, oldest first, with their tags."""
        ...

    def logged_model(self, model_id: str) -> LoggedModel | None: ...

    def close(self) -> None: ...


def open_source(uri: str, proxy_root: Path | None = None) -> Source:
    """The reader for `uri`: an MLflow database or ./mlruns folder, or any mltrail store URI.

    `proxy_root` is the folder behind the source's ``mlflow-artifacts:`` URIs, if local.
    """
    from mltrail.store.uri import SQL_SCHEMES, scheme_of
    from mltrail.transfer.artifacts import SourceArtifacts

    scheme = scheme_of(uri)
    remote = scheme in ("http", "https")
    artifacts = SourceArtifacts(proxy_root, uri if remote else None)
    if remote:
        from mltrail.transfer.store_source import StoreSource

        return StoreSource.for_uri(uri, artifacts)
    if scheme in SQL_SCHEMES:
        from mltrail.transfer.mlflow_sql import MlflowSqlSource, is_mlflow_database

        if is_mlflow_database(uri):
            return MlflowSqlSource(uri, artifacts)
        from mltrail.transfer.store_source import StoreSource

        return StoreSource.for_uri(uri, artifacts)
    if scheme not in ("", "file"):
        raise MltrailError(
            f"Cannot read {uri!r}: use an MLflow database URI, a ./mlruns folder, an "
            "http(s) tracking server URL or an mltrail database.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    path = Path(urlparse(uri).path if scheme == "file" else uri).expanduser()
    return _open_path(path, artifacts)


def _open_path(path: Path, artifacts: SourceArtifacts) -> Source:
    if path.is_file():
        return open_source(f"sqlite:///{path.resolve()}", artifacts.proxy_root)
    if not path.is_dir():
        raise MltrailError(f"{path} does not exist.", ErrorCode.RESOURCE_DOES_NOT_EXIST)
    if any(path.glob("*/meta.yaml")):
        from mltrail.transfer.mlflow_files import MlflowFileSource

        return MlflowFileSource(path, artifacts)
    for name in ("mltrail.db", "mlflow.db"):
        if (path / name).is_file():
            return open_source(f"sqlite:///{(path / name).resolve()}", artifacts.proxy_root)
    raise MltrailError(
        f"{path} holds neither an MLflow ./mlruns layout nor a database.",
        ErrorCode.INVALID_PARAMETER_VALUE,
    )
