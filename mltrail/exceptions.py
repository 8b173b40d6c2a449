"""MLflow-compatible exception names (``mlflow.exceptions``)."""

from mltrail.errors import ErrorCode, MltrailError, RestError

MlflowException = MltrailError
RestException = RestError


class ExecutionException(MltrailError):
    """A project run or another subprocess failed."""


class MissingConfigException(MltrailError):
    """A required configuration file or value is missing."""


class InvalidUrlException(MltrailError):
    """A URL could not be parsed or is not allowed."""


class MlflowNotImplementedException(MltrailError):
    default_code = ErrorCode.NOT_IMPLEMENTED


__all__ = [
    "ErrorCode",
    "ExecutionException",
    "InvalidUrlException",
    "MissingConfigException",
    "MlflowException",
    "MlflowNotImplementedException",
    "RestException",
]
