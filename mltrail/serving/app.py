"""The model scoring server: a Starlette app with MLflow's `/ping`, `/health`, `/version` and
`/invocations` routes around one `PyFuncModel`, loaded once when the app is created.

uvicorn workers build the app through `app_from_env`, so each worker loads the model once.
"""

from __future__ import annotations

import asyncio
import functools
import os
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from mltrail.errors import ErrorCode, MltrailError
from mltrail.pyfunc import PyFuncModel, load_model
from mltrail.server.errors import HttpError, handle_error
from mltrail.serving.payload import UnsupportedContentType, parse_payload
from mltrail.serving.predictions import predictions_json

MODEL_URI_ENV_VAR = "MLTRAIL_SERVING_MODEL_URI"
TIMEOUT_ENV_VAR = "MLTRAIL_SERVING_TIMEOUT"
DEFAULT_TIMEOUT_S = 60.0
HEALTHY_BODY = b"\n"


def create_scoring_app(model: str | PyFuncModel, timeout: float = DEFAULT_TIMEOUT_S) -> Starlette:
    """A scoring app for `model` (a model URI, loaded now, or an already loaded model)."""
    loaded = load_model(model) if isinstance(model, str) else model
    routes = [
        Route("/ping", _healthy, methods=["GET"]),
        Route("/health", _healthy, methods=["GET"]),
        Route("/version", _version, methods=["GET"]),
        Route("/invocations", functools.partial(invocations, loaded, timeout), methods=["POST"]),
    ]
    handlers: dict[Any, Any] = {
        MltrailError: _handle_error,
        HTTPException: handle_error,
        Exception: handle_error,
    }
    return Starlette(routes=routes, exception_handlers=handlers)


def app_from_env() -> Starlette:
    """uvicorn's app factory: the model URI and timeout come from the serving CLI."""
    uri = os.environ.get(MODEL_URI_ENV_VAR)
    if not uri:
        raise RuntimeError(f"{MODEL_URI_ENV_VAR} is not set; start the server with the CLI.")
    return create_scoring_app(uri, float(os.environ.get(TIMEOUT_ENV_VAR, DEFAULT_TIMEOUT_S)))


async def _healthy(request: Request) -> Response:
    # The model is loaded before the app exists, so answering at all means healthy.
    return Response(HEALTHY_BODY, media_type="application/json")


async def _version(request: Request) -> Response:
    from importlib.metadata import PackageNotFoundError, version

    try:
        text = version("mltrail")
    except PackageNotFoundError:
        from mltrail import __version__ as text
    return Response(text.encode(), media_type="application/json")


async def invocations(model: PyFuncModel, timeout: float, request: Request) -> Response:
    """Parse the body, predict in a worker thread within `timeout`, answer the predictions."""
    body = await request.body()
    signature = model.metadata.signature
    schema = signature.inputs if signature is not None else None
    payload = parse_payload(request.headers.get("content-type"), body, schema)
    call = run_in_threadpool(predict, model, payload.data, payload.params)
    try:
        result = await asyncio.wait_for(call, timeout)
    except TimeoutError:
        raise HttpError(
            f"The prediction did not finish within the request timeout of {timeout:g} s.",
            ErrorCode.DEADLINE_EXCEEDED,
            504,
        ) from None
    return Response(result, media_type="application/json")


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


async def _handle_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, UnsupportedContentType):
        # MLflow answers 415 in plain text; clients that read the status see the same.
        return PlainTextResponse(exc.message, 415)
    return await handle_error(request, exc)
