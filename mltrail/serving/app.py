"""The model scoring server: MLflow's `/ping`, `/health`, `/version` and `/invocations` routes
around one `PyFuncModel`, loaded once when the app is created.

A bare ASGI callable rather than a framework app: four fixed routes need no router, and each
request costs only its parsing and prediction. A request is parsed, predicted and serialized in
one go: in a worker thread, so the event loop keeps answering `/ping` and enforcing the timeout
while a model works, or on the loop itself once the model has shown it is quick (see
`placement`). uvicorn workers build the app through `app_from_env`, so each worker loads the
model once.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from mltrail.errors import ErrorCode, MltrailError
from mltrail.server.errors import HttpError, unexpected_error
from mltrail.serving.payload import UnsupportedContentType, parse_payload
from mltrail.serving.placement import Placement, measured
from mltrail.serving.predictions import predictions_json

if TYPE_CHECKING:
    from mltrail.pyfunc import PyFuncModel
    from mltrail.types.schema import Schema

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Header = tuple[bytes, bytes]

MODEL_URI_ENV_VAR = "MLTRAIL_SERVING_MODEL_URI"
TIMEOUT_ENV_VAR = "MLTRAIL_SERVING_TIMEOUT"
DEFAULT_TIMEOUT_S = 60.0
HEALTHY_BODY = b"\n"
JSON_TYPE = b"application/json"
TEXT_TYPE = b"text/plain; charset=utf-8"
# The pool scores what cannot run on the loop: slow models (often waiting on something, so
# they overlap well) and large bodies. Sized like asyncio's default executor.
PREDICT_THREADS = min(32, (os.cpu_count() or 1) + 4)

ROUTES = {"/ping": "GET", "/health": "GET", "/version": "GET", "/invocations": "POST"}


class ScoringApp:
    """The ASGI app serving one model's predictions."""

    def __init__(self, model: PyFuncModel, timeout: float) -> None:
        self.model = model
        self.timeout = timeout
        signature = model.metadata.signature
        self.schema: Schema | None = signature.inputs if signature is not None else None
        self.executor = ThreadPoolExecutor(PREDICT_THREADS, thread_name_prefix="predict")
        self.placement = Placement(timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.executor.shutdown(wait=False, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        allowed = ROUTES.get(path)
        try:
            if allowed is None:
                raise _not_found(path)
            if method != allowed and not (method == "HEAD" and allowed == "GET"):
                raise HttpError(f"{method} is not allowed on {path}.", ErrorCode.BAD_REQUEST, 405)
            if path == "/invocations":
                body = await _read_body(receive)
                if body is None:
                    return  # the client went away
                answer = await self.invocations(_header(scope, b"content-type"), body)
                await respond(send, 200, answer, JSON_TYPE)
            elif path == "/version":
                await respond(send, 200, _version().encode(), JSON_TYPE)
            else:
                # The model is loaded before the app exists, so answering at all means healthy.
                await respond(send, 200, HEALTHY_BODY, JSON_TYPE)
        except Exception as exc:
            await respond_error(send, exc, f"{method} {path}", allowed)

    async def invocations(self, content_type: str | None, body: bytes) -> bytes:
        """Score the body (on the loop, or in a worker thread within `timeout`); the
        predictions' JSON bytes."""
        size = len(body)
        if self.placement.on_loop(size):
            return measured(
                lambda: self.score(content_type, body),
                lambda cost: self.placement.observe(cost, size, on_loop=True),
            )
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(
            self.executor,
            measured,
            lambda: self.score(content_type, body),
            lambda cost: self.placement.observe(cost, size, on_loop=False),
        )
        try:
            return await asyncio.wait_for(work, self.timeout)
        except TimeoutError:
            raise HttpError(
                f"The prediction did not finish within the request timeout of {self.timeout:g} s.",
                ErrorCode.DEADLINE_EXCEEDED,
                504,
            ) from None

    def score(self, content_type: str | None, body: bytes) -> bytes:
        payload = parse_payload(content_type, body, self.schema)
        return predict(self.model, payload.data, payload.params)


def create_scoring_app(model: str | PyFuncModel, timeout: float = DEFAULT_TIMEOUT_S) -> ScoringApp:
    """A scoring app for `model` (a model URI, loaded now, or an already loaded model)."""
    if isinstance(model, str):
        from mltrail.pyfunc import load_model

        return ScoringApp(load_model(model), timeout)
    return ScoringApp(model, timeout)


def app_from_env() -> ScoringApp:
    """uvicorn's app factory: the model URI and timeout come from the serving CLI."""
    uri = os.environ.get(MODEL_URI_ENV_VAR)
    if not uri:
        raise RuntimeError(f"{MODEL_URI_ENV_VAR} is not set; start the server with the CLI.")
    app = create_scoring_app(uri, float(os.environ.get(TIMEOUT_ENV_VAR, DEFAULT_TIMEOUT_S)))
    # The model and its framework live as long as the worker: moved out of the collector's
    # generations, they are not traversed by every full collection (a 100 ms pause otherwise).
    gc.freeze()
    return app


def predict(model: PyFuncModel, data: Any, params: dict[str, Any] | None) -> bytes:
    """Predictions as JSON bytes; a model failure becomes an error that says what broke."""
    try:
        return predictions_json(model.predict(data, params=params))
    except MltrailError as exc:
        raise MltrailError(f"Failed to predict data: {exc.message}", exc.code) from None
    except Exception as exc:
        raise MltrailError(
            "Encountered an unexpected error while evaluating the model. Verify that the input "
            f"is compatible with the model for inference. Error: {type(exc).__name__}: {exc}",
            ErrorCode.BAD_REQUEST,
        ) from None


# -- HTTP plumbing ---------------------------------------------------------------------------
async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mltrail")
    except PackageNotFoundError:
        from mltrail import __version__

        return __version__


def _not_found(path: str) -> HttpError:
    return HttpError(
        f"No endpoint {path} exists on this server.", ErrorCode.ENDPOINT_NOT_FOUND, 404
    )


async def respond(
    send: Send, status: int, body: bytes, content_type: bytes, extra: Sequence[Header] = ()
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body)), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def respond_error(send: Send, exc: Exception, where: str, allowed: str | None) -> None:
    """MLflow's error JSON with the error's status; 415 is plain text, as MLflow answers it."""
    if isinstance(exc, UnsupportedContentType):
        await respond(send, 415, exc.message.encode(), TEXT_TYPE)
        return
    import orjson

    error = exc if isinstance(exc, MltrailError) else unexpected_error(exc, where)
    status = error.get_http_status_code()
    body = orjson.dumps({"error_code": error.error_code, "message": error.message})
    allow = f"{allowed}, HEAD" if allowed == "GET" else allowed
    extra = [(b"allow", allow.encode())] if status == 405 and allow else []
    await respond(send, status, body, JSON_TYPE, extra)
