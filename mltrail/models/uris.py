"""Model URIs to local directories: local paths, ``runs:/``, ``models:/m-<id>``, registry URIs
(``models:/name/version``, ``@alias``, ``/Stage``, ``/latest``) and any artifact URI.

Models kept on the local filesystem are used in place; others are downloaded to a temp dir.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from mltrail.errors import InvalidParameter, NotFound

if TYPE_CHECKING:
    from mltrail.models.model import Model
    from mltrail.store.artifacts.base import ArtifactRepository
    from mltrail.tracking.client import MltrailClient

LOGGED_MODEL_ID = re.compile(r"^m-[0-9a-f]{32}$")


def _client() -> MltrailClient:
    from mltrail.tracking.client import MltrailClient

    return MltrailClient()


def local_path(uri: str) -> Path | None:
    """The local path a plain path or ``file:`` URI names (None for remote URIs)."""
    if re.match(r"^[A-Za-z][\w+.-]*:", uri) is None:
        return Path(uri).expanduser()
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return None


def is_model_uri(uri: str) -> bool:
    """Whether `uri` names a model somewhere other than the local filesystem."""
    return local_path(uri) is None


def download_model(model_uri: str, dst_path: str | None = None) -> str:
    """A local directory holding the model `model_uri` names."""
    uri = str(model_uri)
    local = local_path(uri)
    if local is not None:
        if not local.exists():
            raise NotFound(f"No model found at local path '{uri}'")
        return str(local)
    if uri.startswith("runs:/"):
        return _download_run_model(uri, dst_path)
    if uri.startswith("models:/"):
        return _download_models_uri(uri, dst_path)
    return _download_artifacts(uri, dst_path)


def _download_artifacts(artifact_uri: str, dst_path: str | None, path: str = "") -> str:
    """Files under `artifact_uri`/`path`, used in place when they are local."""
    local = local_path(artifact_uri)
    if local is not None:
        found = local / path if path else local
        if not found.exists():
            raise NotFound(f"No model artifacts found at '{artifact_uri}' path '{path}'")
        return str(found)
    from mltrail.store.uri import artifact_repository_for

    return artifact_repository_for(artifact_uri).download_artifacts(path, dst_path)


def _download_run_model(uri: str, dst_path: str | None) -> str:
    """``runs:/<run_id>/<path>``: a model logged under that name, else the run's artifacts."""
    body = uri[len("runs:/") :].lstrip("/")
    run_id, _, path = body.partition("/")
    if not run_id:
        raise InvalidParameter(f"Not a valid runs:/ URI: {uri!r}; expected runs:/<run_id>/<path>")
    client = _client()
    model = _logged_model_of_run(client, run_id, path.strip("/"))
    if model is not None:
        return _download_artifacts(model.artifact_location, dst_path)
    run = client.get_run(run_id)
    return _download_artifacts(run.info.artifact_uri, dst_path, posixpath.normpath(path or "."))


def _logged_model_of_run(client: MltrailClient, run_id: str, name: str) -> Any:
    if not name or "/" in name:
        return None
    run = client.get_run(run_id)
    quoted = name.replace("'", "\\'")
    try:
        found = client.search_logged_models(
            [run.info.experiment_id],
            filter_string=f"source_run_id = '{run_id}' AND name = '{quoted}'",
            max_results=1,
        )
    except Exception:  # a store without logged models: fall back to run artifacts
        return None
    return found[0] if found else None


def _download_models_uri(uri: str, dst_path: str | None) -> str:
    body = uri[len("models:/") :].strip("/")
    if LOGGED_MODEL_ID.match(body):
        model = _client().get_logged_model(body)
        return _download_artifacts(model.artifact_location, dst_path)
    version = _registry_version(uri)
    source = str(version.source)
    if source == uri:
        raise InvalidParameter(f"Model version {uri} refers to itself as its source")
    return download_model(source, dst_path)


def _registry_version(uri: str) -> Any:
    client = _client()
    resolve: Callable[[str], Any] | None = getattr(client, "resolve_model_version", None)
    if resolve is None:
        raise InvalidParameter(
            f"Cannot resolve {uri}: the model registry is not available in this mltrail "
            "installation. Use models:/m-<model_id>, runs:/<run_id>/<path> or a path instead."
        )
    return resolve(uri)


def model_repository(model_uri: str) -> tuple[ArtifactRepository, str]:
    """The artifact repository and the folder in it that hold the files of a ``runs:/`` or
    ``models:/m-<id>`` model (a logged model's own location when the run has one)."""
    from mltrail.store.uri import artifact_repository_for

    if model_uri.startswith("runs:/"):
        run_id, _, path = model_uri[len("runs:/") :].lstrip("/").partition("/")
        if not run_id:
            raise InvalidParameter(f"Not a valid runs:/ URI: {model_uri!r}")
        client = _client()
        logged = _logged_model_of_run(client, run_id, path.strip("/"))
        if logged is not None:
            return artifact_repository_for(logged.artifact_location), ""
        return artifact_repository_for(client.get_run(run_id).info.artifact_uri), path.strip("/")
    if model_uri.startswith("models:/") and LOGGED_MODEL_ID.match(model_uri[8:].strip("/")):
        logged = _client().get_logged_model(model_uri[8:].strip("/"))
        return artifact_repository_for(logged.artifact_location), ""
    raise InvalidParameter(f"Not a runs:/ or models:/<model_id> URI: {model_uri!r}")


def rewrite_mlmodel(model_uri: str, update: Callable[[Model], None]) -> None:
    """Load the MLmodel at `model_uri`, apply `update`, and write it back in place."""
    from mltrail.models.model import MLMODEL_FILE, Model

    local = local_path(model_uri)
    if local is not None:
        model = Model.load(local)
        update(model)
        model.save(local / MLMODEL_FILE if local.is_dir() else local)
        return
    if not model_uri.startswith(("runs:/", "models:/m-")):
        raise InvalidParameter(
            f"Cannot update the model at {model_uri!r}: use a local path, a runs:/ URI or "
            "models:/<model_id>"
        )
    _rewrite_in_repo(*model_repository(model_uri), update)


def _rewrite_in_repo(
    repo: ArtifactRepository, folder: str, update: Callable[[Model], None]
) -> None:
    import yaml

    from mltrail.models.model import MLMODEL_FILE, Model

    target = posixpath.join(folder, MLMODEL_FILE) if folder else MLMODEL_FILE
    model = Model.from_dict(yaml.safe_load(b"".join(repo.read_stream(target))))
    update(model)
    repo.write_stream(target, (model.to_yaml().encode(),))
