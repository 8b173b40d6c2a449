"""Python-object serialization for flavors that store framework objects as files: skops (a safe
format: loading runs no arbitrary code), pickle or cloudpickle, with MLflow's file names.

Shared by the sklearn and lightgbm flavors, whose MLmodel entries use the same keys
(`serialization_format`, `skops_trusted_types`).
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Sequence
from typing import Any

from mltrail.errors import InvalidParameter

SERIALIZATION_FORMAT_SKOPS = "skops"
SERIALIZATION_FORMAT_PICKLE = "pickle"
SERIALIZATION_FORMAT_CLOUDPICKLE = "cloudpickle"
SUPPORTED_SERIALIZATION_FORMATS = (
    SERIALIZATION_FORMAT_SKOPS,
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_CLOUDPICKLE,
)
# Files written before a format was recorded were cloudpickles (which also reads plain pickle).
LEGACY_SERIALIZATION_FORMAT = SERIALIZATION_FORMAT_CLOUDPICKLE
FILE_NAMES = {"skops": "model.skops", "pickle": "model.pkl", "cloudpickle": "model.pkl"}
_SERIALIZER_PACKAGES = {"skops": "skops", "pickle": None, "cloudpickle": "cloudpickle"}


def check_serialization_format(serialization_format: str) -> None:
    if serialization_format not in SUPPORTED_SERIALIZATION_FORMATS:
        raise InvalidParameter(
            f"Unrecognized serialization format: {serialization_format}. Please specify one "
            f"of the following supported formats: {list(SUPPORTED_SERIALIZATION_FORMATS)}."
        )


def serializer_package(serialization_format: str) -> str | None:
    """The distribution a loader needs for this format (None for the standard library)."""
    return _SERIALIZER_PACKAGES[serialization_format]


def serialize(obj: Any, target: str, serialization_format: str) -> None:
    check_serialization_format(serialization_format)
    if serialization_format == SERIALIZATION_FORMAT_SKOPS:
        _skops_io().dump(obj, target)
        return
    if serialization_format == SERIALIZATION_FORMAT_PICKLE:
        with open(target, "wb") as out:
            pickle.dump(obj, out)
        return
    import cloudpickle

    with open(target, "wb") as out:
        cloudpickle.dump(obj, out)


def deserialize(
    source: str, serialization_format: str | None, trusted_types: Sequence[str] | None = None
) -> Any:
    """The object in `source`; skops files may hold only its defaults plus `trusted_types`."""
    serialization_format = serialization_format or LEGACY_SERIALIZATION_FORMAT
    check_serialization_format(serialization_format)
    if serialization_format == SERIALIZATION_FORMAT_SKOPS:
        return _skops_io().load(source, trusted=list(trusted_types or ()) or None)
    with open(source, "rb") as stream:
        if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
            import cloudpickle

            return cloudpickle.load(stream)
        return pickle.load(stream)


# scikit-learn's array-API adapter for torch: importing it imports all of PyTorch.
_SKLEARN_TORCH_ADAPTER = "sklearn.externals.array_api_compat.torch"


def _skops_io() -> Any:
    """`skops.io`, imported without dragging PyTorch in.

    At import, skops walks every scikit-learn module to list the types it trusts, and one of
    them imports torch when it is installed: seconds and ~200 MB for a server that only scores a
    scikit-learn model. Hiding that one module while skops imports leaves the trusted list the
    same (torch types are never on it) and the module importable again afterwards.
    """
    if "skops.io" not in sys.modules and _SKLEARN_TORCH_ADAPTER not in sys.modules:
        sys.modules[_SKLEARN_TORCH_ADAPTER] = None  # type: ignore[assignment]  # "not importable"
        try:
            import skops.io  # type: ignore[import-untyped]  # noqa: F401
        finally:
            sys.modules.pop(_SKLEARN_TORCH_ADAPTER, None)
    return sys.modules["skops.io"]
