"""One error model for every layer, carrying MLflow's wire error codes.

Exception tree::

    MltrailError (alias MlflowException)     any failure with an ErrorCode and HTTP status
    ├── InvalidParameter                     INVALID_PARAMETER_VALUE, 400
    ├── NotFound                             RESOURCE_DOES_NOT_EXIST, 404
    ├── AlreadyExists                        RESOURCE_ALREADY_EXISTS, 400
    ├── PermissionDenied                     PERMISSION_DENIED, 403
    └── RestError (alias RestException)      an error returned by a remote server
"""

from __future__ import annotations

import enum
from typing import Any


class ErrorCode(enum.Enum):
    """MLflow's error codes (the `error_code` string on the wire) with their HTTP status."""

    INTERNAL_ERROR = 500
    TEMPORARILY_UNAVAILABLE = 503
    IO_ERROR = 500
    BAD_REQUEST = 400
    INVALID_PARAMETER_VALUE = 400
    MALFORMED_REQUEST = 400
    ENDPOINT_NOT_FOUND = 404
    RESOURCE_DOES_NOT_EXIST = 404
    NOT_FOUND = 404
    RESOURCE_ALREADY_EXISTS = 400
    ALREADY_EXISTS = 409
    RESOURCE_CONFLICT = 409
    ABORTED = 409
    INVALID_STATE = 500
    PERMISSION_DENIED = 403
    UNAUTHENTICATED = 401
    CUSTOMER_UNAUTHORIZED = 401
    FEATURE_DISABLED = 501
    NOT_IMPLEMENTED = 501
    REQUEST_LIMIT_EXCEEDED = 429
    RESOURCE_EXHAUSTED = 429
    DEADLINE_EXCEEDED = 504
    DATA_LOSS = 500

    # Several codes share a status: keep every name a distinct member.
    def __new__(cls, status: int) -> ErrorCode:
        member = object.__new__(cls)
        member._value_ = (len(cls.__members__), status)
        return member

    @property
    def http_status(self) -> int:
        return int(self._value_[1])

    @classmethod
    def parse(cls, code: ErrorCode | str | int | None) -> ErrorCode:
        """Accept an ErrorCode, its wire name, or an HTTP status; unknown -> INTERNAL_ERROR."""
        if isinstance(code, ErrorCode):
            return code
        if isinstance(code, str) and code in cls.__members__:
            return cls[code]
        if isinstance(code, int):
            for member in cls:
                if member.http_status == code:
                    return member
        return cls.INTERNAL_ERROR


class MltrailError(Exception):
    """An error with MLflow's error code; `str(e)` is the message."""

    default_code = ErrorCode.INTERNAL_ERROR

    def __init__(
        self, message: object, error_code: ErrorCode | str | int | None = None, **kwargs: Any
    ) -> None:
        self.message = str(message)
        self.code = ErrorCode.parse(error_code) if error_code is not None else self.default_code
        self.json_kwargs = kwargs
        super().__init__(self.message)

    @property
    def error_code(self) -> str:
        """The wire name, e.g. ``"RESOURCE_DOES_NOT_EXIST"`` (what MLflow users compare to)."""
        return self.code.name

    def get_http_status_code(self) -> int:
        return self.code.http_status

    def to_dict(self) -> dict[str, Any]:
        return {"error_code": self.error_code, "message": self.message, **self.json_kwargs}

    def serialize_as_json(self) -> str:
        import json

        return json.dumps(self.to_dict())

    @classmethod
    def invalid_parameter_value(cls, message: str, **kwargs: Any) -> MltrailError:
        return cls(message, ErrorCode.INVALID_PARAMETER_VALUE, **kwargs)


class InvalidParameter(MltrailError):
    default_code = ErrorCode.INVALID_PARAMETER_VALUE


class NotFound(MltrailError):
    default_code = ErrorCode.RESOURCE_DOES_NOT_EXIST


class AlreadyExists(MltrailError):
    default_code = ErrorCode.RESOURCE_ALREADY_EXISTS


class PermissionDenied(MltrailError):
    default_code = ErrorCode.PERMISSION_DENIED


class RestError(MltrailError):
    """Raised by the REST client for an error JSON returned by a server."""

    def __init__(self, json: dict[str, Any]) -> None:
        code = json.get("error_code", ErrorCode.INTERNAL_ERROR.name)
        message = f"{code}: {json.get('message', '')}"
        super().__init__(message, ErrorCode.parse(code))
        self.json = json
