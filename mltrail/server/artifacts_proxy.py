"""The artifact proxy (``/api/2.0/mlflow-artifacts/...``): list, download, upload, delete.

Paths are relative to the proxy destination and checked on every route. Transfers stream in
both directions, in constant memory: uploads are handed to the repository's ``write_stream``
in a worker thread, pulling the request body chunk by chunk from the event loop. Downloads
are attachments with ``nosniff`` so a browser never renders an artifact as a page.

When the destination can hand out presigned URLs (S3), the ``mpu/create|complete|abort`` and
``presigned`` routes let clients move large files to and from it directly; otherwise they
answer NOT_IMPLEMENTED with the message on which MLflow's client falls back to the proxy.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from itertools import chain
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote

import anyio
import anyio.from_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from mltrail.errors import ErrorCode, InvalidParameter, MltrailError, NotFound
from mltrail.server.artifact_locations import safe_relative_path
from mltrail.server.endpoint import (
    API_PREFIXES,
    context_of,
    guarded,
    json_response,
    read_json,
)
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


@runtime_checkable
class PresignedTransfers(Protocol):
    """What a destination offers when clients may move bytes to and from it directly (S3)."""

    def create_multipart_upload(
        self, artifact_path: str, num_parts: int, expires_in: int = ...
    ) -> tuple[str, list[dict[str, Any]]]: ...

    def complete_multipart_upload(
        self, artifact_path: str, upload_id: str, parts: list[tuple[int, str]]
    ) -> None: ...

    def abort_multipart_upload(self, artifact_path: str, upload_id: str) -> None: ...

    def presigned_download(self, artifact_path: str, expires_in: int = ...) -> tuple[str, int]: ...


def _presigned(request: Request, what: str) -> PresignedTransfers:
    repo = _proxy(request)
    if not isinstance(repo, PresignedTransfers):
        # The official client falls back to a plain upload on exactly this message.
        raise MltrailError(
            f"{what} is not supported for the current artifact repository",
            ErrorCode.NOT_IMPLEMENTED,
        )
    return repo


async def _mpu_request(request: Request) -> tuple[PresignedTransfers, str, dict[str, Any]]:
    """(destination, file path, body) of an mpu call: the URL names the folder, the body's
    `path` the client's local file, whose name becomes the artifact's name."""
    folder = safe_relative_path(request.path_params.get("artifact_path", ""))
    repo = _presigned(request, "Multipart upload")
    body = await read_json(request)
    local = body.get("path")
    if not isinstance(local, str) or not local.strip():
        raise InvalidParameter("Missing value for required parameter 'path'.")
    name = safe_relative_path(local.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1])
    return repo, f"{folder}/{name}" if folder else name, body


def _upload_id(body: dict[str, Any]) -> str:
    upload_id = body.get("upload_id")
    if not isinstance(upload_id, str) or not upload_id:
        raise InvalidParameter("Missing value for required parameter 'upload_id'.")
    return upload_id


async def create_multipart_upload(request: Request) -> Response:
    repo, path, body = await _mpu_request(request)
    num_parts = body.get("num_parts", 1)
    if isinstance(num_parts, str) and num_parts.isdigit():
        num_parts = int(num_parts)
    if not isinstance(num_parts, int) or isinstance(num_parts, bool):
        raise InvalidParameter(f"num_parts must be an integer, got {num_parts!r}.")
    upload_id, credentials = await run_in_threadpool(repo.create_multipart_upload, path, num_parts)
    return json_response({"upload_id": upload_id, "credentials": credentials})


async def complete_multipart_upload(request: Request) -> Response:
    repo, path, body = await _mpu_request(request)
    upload_id = _upload_id(body)
    parts: list[tuple[int, str]] = []
    for part in body.get("parts") or ():
        number = part.get("part_number") if isinstance(part, dict) else None
        etag = part.get("etag") if isinstance(part, dict) else None
        if not isinstance(etag, str) or not etag or not str(number).isdigit():
            raise InvalidParameter(f"Invalid multipart upload part {part!r}.")
        parts.append((int(str(number)), etag))
    await run_in_threadpool(repo.complete_multipart_upload, path, upload_id, parts)
    return json_response(None)


async def abort_multipart_upload(request: Request) -> Response:
    repo, path, body = await _mpu_request(request)
    await run_in_threadpool(repo.abort_multipart_upload, path, _upload_id(body))
    return json_response(None)


async def presigned_download(request: Request) -> Response:
    path = _path_param(request)
    repo = _presigned(request, "Presigned download")
    url, size = await run_in_threadpool(repo.presigned_download, path)
    return json_response({"url": url, "headers": {}, "file_size": size})


def _routes() -> list[BaseRoute]:
    item = "/{artifact_path:path}"
    table: list[tuple[str, str, Any]] = [
        ("/artifacts", "GET", list_artifacts),
        ("/artifacts" + item, "GET", download_artifact),
        ("/artifacts" + item, "PUT", upload_artifact),
        ("/artifacts" + item, "DELETE", delete_artifact),
        ("/mpu/create" + item, "POST", create_multipart_upload),
        ("/mpu/complete" + item, "POST", complete_multipart_upload),
        ("/mpu/abort" + item, "POST", abort_multipart_upload),
        ("/presigned" + item, "GET", presigned_download),
    ]
    return [
        Route(f"{prefix}/2.0/mlflow-artifacts{path}", guarded(endpoint), methods=[method])
        for prefix in API_PREFIXES
        for path, method, endpoint in table
    ]


routes = _routes()
