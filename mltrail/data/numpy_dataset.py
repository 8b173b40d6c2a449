"""A dataset backed by numpy arrays, or dicts of named arrays (what `from_numpy` returns).

Imported only on first use, so numpy loads at module level here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np

from mltrail.data.dataset import Dataset
from mltrail.data.digest import DIGEST_SAMPLE_ROWS, short_digest
from mltrail.data.schema import TensorSchema
from mltrail.data.sources import DatasetSource
from mltrail.errors import ErrorCode, MltrailError

Arrays: TypeAlias = "np.ndarray[Any, Any] | Mapping[str, np.ndarray[Any, Any]]"


class NumpyDataset(Dataset):
    def __init__(
        self,
        features: Arrays,
        source: DatasetSource,
        targets: Arrays | None = None,
        name: str | None = None,
        digest: str | None = None,
    ) -> None:
        _check_arrays("features", features)
        if targets is not None:
            _check_arrays("targets", targets)
        self._features = features
        self._targets = targets
        super().__init__(source, name=name, digest=digest)

    def _compute_digest(self) -> str:
        parts = list(_digest_parts(self._features))
        if self._targets is not None:
            parts += [b"targets", *_digest_parts(self._targets)]
        return short_digest(parts)

    @property
    def features(self) -> Arrays:
        return self._features

    @property
    def targets(self) -> Arrays | None:
        return self._targets

    @property
    def profile(self) -> dict[str, Any]:
        profile = _array_profile("features", self._features)
        if self._targets is not None:
            profile.update(_array_profile("targets", self._targets))
        return profile

    @cached_property
    def schema(self) -> TensorSchema | None:
        try:
            features = _tensor_specs(self._features)
            targets = None if self._targets is None else _tensor_specs(self._targets)
        except ValueError:
            return None
        return TensorSchema(features, targets)


def _named(arrays: Arrays) -> Iterator[tuple[str | None, np.ndarray[Any, Any]]]:
    if isinstance(arrays, Mapping):
        yield from arrays.items()
    else:
        yield None, arrays


def _check_arrays(role: str, arrays: object) -> None:
    values = arrays.values() if isinstance(arrays, Mapping) else [arrays]
    if not all(isinstance(value, np.ndarray) for value in values):
        raise MltrailError(
            f"{role} must be a numpy.ndarray or a dict of str -> numpy.ndarray, "
            f"got {type(arrays).__name__}.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )


def _digest_parts(arrays: Arrays) -> Iterator[bytes]:
    for name, array in _named(arrays):
        sample = array[:DIGEST_SAMPLE_ROWS] if array.ndim else array
        yield (name or "").encode()
        yield f"{array.dtype.str}{array.shape}".encode()
        if array.dtype.hasobject:
            yield repr(sample.tolist()).encode()
        else:
            yield np.ascontiguousarray(sample).tobytes()


def _array_profile(role: str, arrays: Arrays) -> dict[str, Any]:
    stats = {
        name: (list(array.shape), int(array.size), int(array.nbytes))
        for name, array in _named(arrays)
    }
    if not isinstance(arrays, Mapping):
        shape, size, nbytes = stats[None]
        return {f"{role}_shape": shape, f"{role}_size": size, f"{role}_nbytes": nbytes}
    return {
        f"{role}_{stat}": {name: values[index] for name, values in stats.items()}
        for index, stat in enumerate(("shape", "size", "nbytes"))
    }


def _tensor_specs(arrays: Arrays) -> tuple[dict[str, Any], ...]:
    specs = []
    for name, array in _named(arrays):
        if array.ndim == 0:
            raise ValueError("a 0-d array has no batch dimension")
        spec = {"dtype": _dtype_name(array.dtype), "shape": [-1, *array.shape[1:]]}
        named = {"name": name} if name is not None else {}
        specs.append({**named, "type": "tensor", "tensor-spec": spec})
    return tuple(specs)


def _dtype_name(dtype: np.dtype[Any]) -> str:
    return {"U": "str", "S": "bytes"}.get(dtype.kind, dtype.name)
