"""Turn (path, verb, request message, action) into Starlette routes; the handlers stay thin.

An action is a plain function ``(context, request) -> JSON dict | None`` run in the thread
pool (stores block). The endpoint parses the query string (GET) or the JSON body (other
verbs; path parameters win), calls the action and answers with orjson. Every route is
mounted under ``/api/<version>/mlflow`` and mirrored under ``/ajax-api/<version>/mlflow``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mltrail.errors import ErrorCode, InvalidParameter, MltrailError
from mltrail.server.context import ServerContext
from mltrail.server.errors import HttpError, unexpected_error
from mltrail.wire.json import dumps, loads
from mltrail.wire.schema import parse, parse_query

T = TypeVar("T")
Json = dict[str, Any]
Action = Callable[[ServerContext, T], Json | None]
# Whether a parsed request is a short write that may run on the event loop (see make_endpoint).
ShortWhen = bool | Callable[[T], bool]

API_PREFIXES = ("/api", "/ajax-api")
EMPTY_JSON = b"{}"


def json_response(body: Json | None, status: int = 200) -> Response:
    """orjson bytes; top-level unset fields and empty lists are omitted, as MLflow does."""
    if body:
        body = {k: v for k, v in body.items() if v is not None and v != []}
    return Response(dumps(body) if body else EMPTY_JSON, status, media_type="application/json")


def context_of(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


def api_routes(
    path: str,
    methods: str | Sequence[str],
    message: type[T],
    action: Action[T],
    *,
    version: str = "2.0",
    service: str = "mlflow",
    short: ShortWhen[T] = False,
) -> list[BaseRoute]:
    """The route at ``/api/<version>/<service><path>`` and its ``/ajax-api`` twin.

    `short` marks (or tells from the request) a write of a few rows that may run on the
    event loop (see `make_endpoint`).
    """
    verbs = [methods] if isinstance(methods, str) else list(methods)
    endpoint = make_endpoint(message, action, short=short)
    return [
        Route(f"{prefix}/{version}/{service}{path}", endpoint, methods=verbs)
        for prefix in API_PREFIXES
    ]


def make_endpoint(
    message: type[T], action: Action[T], *, short: ShortWhen[T] = False
) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        context = context_of(request)
        path_params = request.path_params
        if request.method == "GET":
            parsed = parse_query(message, request.query_params, path_params)
        else:
            body = await read_json(request)
            parsed = parse(message, {**body, **path_params} if path_params else body)
        if context.inline_short_writes and (short(parsed) if callable(short) else short):
            # A few-row SQLite write takes ~0.1 ms and queues on the store's single write
            # lock anyway: the hop to a worker thread (and threads fighting for the GIL and
            # that lock) would cost several times the write itself.
            result = _run_action(action, context, parsed)
        else:
            result = await run_in_threadpool(_run_action, action, context, parsed)
        return json_response(result)

    endpoint.__name__ = getattr(action, "__name__", "endpoint")
    return endpoint


def _run_action(action: Action[T], context: ServerContext, parsed: T) -> Json | None:
    """Run an action; unexpected exceptions become a logged INTERNAL_ERROR, never a trace."""
    try:
        return action(context, parsed)
    except MltrailError:
        raise
    except Exception as exc:
        raise unexpected_error(exc, getattr(action, "__name__", "action")) from exc


def guarded(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Any]:
    """Wrap a hand-written endpoint so bugs are logged once and answered as INTERNAL_ERROR."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except (MltrailError, ClientDisconnect):
            raise
        except Exception as exc:
            raise unexpected_error(exc, f"{request.method} {request.url.path}") from exc

    return wrapper


async def read_json(request: Request) -> Json:
    """The JSON object in a bounded request body; ``{}`` when there is no body."""
    content_type = request.headers.get("content-type")
    body = await read_body(request, context_of(request).settings.max_request_bytes)
    if body or request.method == "POST":
        check_json_content_type(content_type)
    if not body.strip():
        return {}
    data = loads(body)
    if not isinstance(data, dict):
        raise MltrailError("The request body must be a JSON object.", ErrorCode.MALFORMED_REQUEST)
    return data


def check_json_content_type(content_type: str | None) -> None:
    """State-changing requests must be JSON: a browser cannot send that cross-site unasked."""
    if content_type is None:
        raise InvalidParameter("Bad Request. Content-Type header is missing.")
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise InvalidParameter("Bad Request. Content-Type must be 'application/json'.")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int) -> HttpError:
    return HttpError(
        f"The request body is larger than the server's limit of {limit} bytes.",
        ErrorCode.BAD_REQUEST,
        413,
    )
