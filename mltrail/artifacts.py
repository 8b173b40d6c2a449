"""``mltrail.artifacts``: download, list and load artifacts by URI or by run.

A URI is either ``runs:/<run_id>/<path>`` (resolved through the tracking store) or any
artifact-store URI (a path, ``file:``, ``s3:``, ``mlflow-artifacts:`` ...).
"""

from __future__ import annotations

import json
import posixpath
from typing import TYPE_CHECKING, Any

from mltrail.entities import FileInfo
from mltrail.errors import InvalidParameter
from mltrail.store.artifacts.base import ArtifactRepository

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["download_artifacts", "list_artifacts", "load_dict", "load_image", "load_text"]

RUNS_SCHEME = "runs:"


def download_artifacts(
    artifact_uri: str | None = None,
    run_id: str | None = None,
    artifact_path: str | None = None,
    dst_path: str | None = None,
    tracking_uri: str | None = None,
    registry_uri: str | None = None,
) -> str:
    """Download a file or directory; return its local path."""
    repo, path = _locate(artifact_uri, run_id, artifact_path, tracking_uri)
    return repo.download_artifacts(path, dst_path)


def list_artifacts(
    artifact_uri: str | None = None,
    run_id: str | None = None,
    artifact_path: str | None = None,
    tracking_uri: str | None = None,
) -> list[FileInfo]:
    """The direct children of a directory artifact."""
    if artifact_uri is not None and not artifact_uri.startswith(RUNS_SCHEME):
        _check_one_target(artifact_uri, run_id, artifact_path)
        return _repository(artifact_uri).list_artifacts(None)
    repo, path = _locate(artifact_uri, run_id, artifact_path, tracking_uri)
    return repo.list_artifacts(path or None)


def load_text(artifact_uri: str) -> str:
    return _read(artifact_uri).decode("utf-8")


def load_dict(artifact_uri: str) -> dict[str, Any]:
    """A JSON artifact as a dict."""
    try:
        loaded: dict[str, Any] = json.loads(_read(artifact_uri))
    except json.JSONDecodeError:
        raise InvalidParameter(
            f"Unable to form a JSON object from file content of {artifact_uri}"
        ) from None
    return loaded


def load_image(artifact_uri: str) -> PILImage.Image:
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(_read(artifact_uri)))
    image.load()
    return image


def _read(artifact_uri: str) -> bytes:
    repo, path = _locate(artifact_uri, None, None, None)
    return b"".join(repo.read_stream(path))


def _locate(
    artifact_uri: str | None,
    run_id: str | None,
    artifact_path: str | None,
    tracking_uri: str | None,
) -> tuple[ArtifactRepository, str]:
    """The repository and the relative path inside it that a call names."""
    _check_one_target(artifact_uri, run_id, artifact_path)
    if artifact_uri is None:
        return _run_repository(str(run_id), tracking_uri), artifact_path or ""
    if artifact_uri.startswith(RUNS_SCHEME):
        run, _, path = artifact_uri[len(RUNS_SCHEME) :].lstrip("/").partition("/")
        if not run:
            raise InvalidParameter(f"Not a valid runs:/ URI: {artifact_uri!r}")
        return _run_repository(run, tracking_uri), path.strip("/")
    # A plain URI names one file or directory: open its parent and address it by name.
    stripped = artifact_uri.rstrip("/")
    parent, name = posixpath.split(stripped)
    return _repository(parent), name


def _check_one_target(
    artifact_uri: str | None, run_id: str | None, artifact_path: str | None
) -> None:
    if artifact_uri is not None and (run_id is not None or artifact_path is not None):
        raise InvalidParameter(
            "If the `artifact_uri` argument is specified, `run_id` and `artifact_path` "
            "must not be specified."
        )
    if artifact_uri is None and run_id is None:
        raise InvalidParameter("Either `artifact_uri` or `run_id` must be specified.")


def _run_repository(run_id: str, tracking_uri: str | None) -> ArtifactRepository:
    from mltrail.tracking.client import MltrailClient

    return MltrailClient(tracking_uri).get_artifact_repository(run_id)


def _repository(uri: str) -> ArtifactRepository:
    from mltrail.store.uri import artifact_repository_for

    return artifact_repository_for(uri)
