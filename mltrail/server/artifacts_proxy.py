"""The artifact proxy (``/api/2.0/mlflow-artifacts/...``): list, download, upload, delete.

Paths are relative to the proxy destination and checked on every route. Transfers stream in
both directions, in constant memory: uploads are handed to the repository's ``write_stream``
in a worker thread, pulling the request body chunk by chunk from the event loop. Downloads
are attachments with ``nosniff`` so a browser never renders an artifact as a page.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from itertools import chain
from typing import Any
from urllib.parse import quote

import anyio
import anyio.from_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from mltrail.errors import ErrorCode, InvalidParameter, MltrailError, NotFound
from mltrail.server.artifact_locations import safe_relative_path
from mltrail.server.endpoint import API_PREFIXES, context_of, guarded, json_response
from mltrail.server.routes.artifacts import relative_to
from mltrail.store.artifacts.base import ArtifactRepository
from mltrail.wire.codecs import file_info_to_dict

UPLOAD_BATCH_BYTES = 1 << 20  # hand the writer ~1 MiB at a time, not every socket read
# Types a browser would execute or render; served as plain text (and as attachments anyway).
ACTIVE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript")


def _proxy(request: Request) -> ArtifactRepository:
    return context_of(request).artifacts.proxy()


def _path_param(request: Request) -> str:
    path = safe_relative_path(request.path_params.get("artifact_path", ""))
    if not path:
        raise InvalidParameter("An artifact path is required.")
    return path


async def list_artifacts(request: Request) -> Response:
    path = safe_relative_path(request.query_params.get("path"))
    repo = _proxy(request)
    listed = await run_in_threadpool(repo.list_artifacts, path or None)
    return json_response({"files": [file_info_to_dict(relative_to(f, path)) for f in listed]})


async def download_artifact(request: Request) -> Response:
    path = _path_param(request)
    repo = _proxy(request)
    chunks = await run_in_threadpool(_open_stream, repo, path)
    return StreamingResponse(chunks, media_type=_media_type(path), headers=_attachment(path))


def _open_stream(repo: ArtifactRepository, path: str) -> Iterator[bytes]:
    """Start reading so a missing file or a directory fails before any byte is sent."""
    try:
        stream = iter(repo.read_stream(path))
        first = next(stream, b"")
    except (NotFound, FileNotFoundError, NotADirectoryError):
        raise NotFound(f"No such artifact: '{path}'") from None
    except IsADirectoryError:
        raise InvalidParameter(
            f"Artifact path refers to a directory, not a file: '{path}'"
        ) from None
    return chain((first,), stream)


def _media_type(path: str) -> str:
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return "text/plain" if guessed in ACTIVE_TYPES else guessed


def _attachment(path: str) -> dict[str, str]:
    name = path.rsplit("/", 1)[-1]
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}


async def upload_artifact(request: Request) -> Response:
    path = _path_param(request)
    repo = _proxy(request)
    body = request.stream()

    async def next_batch() -> bytes | None:
        parts: list[bytes] = []
        size = 0
        async for chunk in body:
            parts.append(chunk)
            size += len(chunk)
            if size >= UPLOAD_BATCH_BYTES:
                break
        return b"".join(parts) if parts else None

    def batches() -> Iterator[bytes]:
        while (batch := anyio.from_thread.run(next_batch)) is not None:
            yield batch

    await anyio.to_thread.run_sync(repo.write_stream, path, batches())
    return json_response(None)


async def delete_artifact(request: Request) -> Response:
    path = _path_param(request)
    repo = _proxy(request)
    await run_in_threadpool(repo.delete_artifacts, path)
    return json_response(None)


async def multipart_upload(request: Request) -> Response:
    _path_param(request)
    _proxy(request)
    raise MltrailError(
        "Multipart upload is not supported for the current artifact repository",
        ErrorCode.NOT_IMPLEMENTED,
    )


async def presigned_download(request: Request) -> Response:
    _path_param(request)
    _proxy(request)
    raise MltrailError(
        "Presigned downloads are not supported for the current artifact repository",
        ErrorCode.NOT_IMPLEMENTED,
    )


def _routes() -> list[BaseRoute]:
    item = "/{artifact_path:path}"
    table: list[tuple[str, str, Any]] = [
        ("/artifacts", "GET", list_artifacts),
        ("/artifacts" + item, "GET", download_artifact),
        ("/artifacts" + item, "PUT", upload_artifact),
        ("/artifacts" + item, "DELETE", delete_artifact),
        ("/mpu/create" + item, "POST", multipart_upload),
        ("/mpu/complete" + item, "POST", multipart_upload),
        ("/mpu/abort" + item, "POST", multipart_upload),
        ("/presigned" + item, "GET", presigned_download),
    ]
    return [
        Route(f"{prefix}/2.0/mlflow-artifacts{path}", guarded(endpoint), methods=[method])
        for prefix in API_PREFIXES
        for path, method, endpoint in table
    ]


routes = _routes()
