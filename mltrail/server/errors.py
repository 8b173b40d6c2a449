"""The one exception handler: every failure leaves the server as MLflow's error JSON.

``{"error_code": ..., "message": ...}`` with the code's HTTP status. Unknown routes are
ENDPOINT_NOT_FOUND; unexpected exceptions are logged here and answered with a generic
INTERNAL_ERROR, so tracebacks and server paths never reach a client.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from mltrail.errors import ErrorCode, MltrailError
from mltrail.wire.json import dumps

log = logging.getLogger("mltrail.server")


class HttpError(MltrailError):
    """An MltrailError whose HTTP status is not the code's usual one (405, 413...)."""

    def __init__(self, message: str, error_code: ErrorCode, status: int) -> None:
        super().__init__(message, error_code)
        self.status = status

    def get_http_status_code(self) -> int:
        return self.status


def unexpected_error(exc: BaseException, where: str) -> MltrailError:
    """Log a bug with its traceback; the client only learns that something failed."""
    log.error("Unhandled error in %s", where, exc_info=exc)
    return MltrailError(
        "An internal error occurred on the server; its log has the details.",
        ErrorCode.INTERNAL_ERROR,
    )


def as_mltrail_error(exc: Exception, request: Request) -> MltrailError:
    if isinstance(exc, MltrailError):
        return exc
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return HttpError(
                f"No endpoint {request.url.path} exists on this server.",
                ErrorCode.ENDPOINT_NOT_FOUND,
                404,
            )
        if exc.status_code == 405:
            return HttpError(
                f"{request.method} is not allowed on {request.url.path}.",
                ErrorCode.BAD_REQUEST,
                405,
            )
        return HttpError(str(exc.detail), ErrorCode.BAD_REQUEST, exc.status_code)
    return unexpected_error(exc, f"{request.method} {request.url.path}")


async def handle_error(request: Request, exc: Exception) -> Response:
    error = as_mltrail_error(exc, request)
    message = error.message
    for secret in getattr(request.app.state, "redactions", ()):
        message = message.replace(secret, "<server path>")
    body = {"error_code": error.error_code, "message": message}
    return Response(dumps(body), error.get_http_status_code(), media_type="application/json")
