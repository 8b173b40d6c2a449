"""Schemas: `ColSpec` / `TensorSpec` columns in a `Schema`, and `ParamSpec`s in a `ParamSchema`.

`to_json` gives the exact strings MLflow stores in the MLmodel file; `from_json` reads them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.types.coerce import coerce_param_value
from mltrail.types.datatypes import (  # Array..Property re-exported: MLflow's import path
    AnyType,
    Array,
    DataType,
    Json,
    Map,
    Object,
    Property,
    ValueType,
    as_value_type,
    parse_type,
    type_dict,
    type_repr,
)

__all__ = [
    "AnyType",
    "Array",
    "ColSpec",
    "DataType",
    "Map",
    "Object",
    "ParamSchema",
    "ParamSpec",
    "Property",
    "Schema",
    "TensorSpec",
]


class ColSpec:
    """A (possibly named) column of a tabular input."""

    def __init__(
        self, type: ValueType | str, name: str | None = None, required: bool = True
    ) -> None:
        self.type: ValueType = as_value_type(type)
        self.name = name
        self.required = required

    def to_dict(self) -> Json:
        out = type_dict(self.type)
        if self.name is not None:
            out["name"] = self.name
        out["required"] = self.required
        return out

    @classmethod
    def from_dict(cls, spec: Json) -> ColSpec:
        return cls(parse_type(spec), spec.get("name"), spec.get("required", True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ColSpec) and (other.name, other.type, other.required) == (
            self.name,
            self.type,
            self.required,
        )

    def __hash__(self) -> int:
        return hash((self.name, repr(self.type), self.required))

    def __repr__(self) -> str:
        need = "required" if self.required else "optional"
        kind = type_repr(self.type)
        return f"{kind} ({need})" if self.name is None else f"{self.name!r}: {kind} ({need})"


class TensorSpec:
    """A (possibly named) numpy tensor: dtype and shape, -1 for a free dimension."""

    def __init__(self, type: Any, shape: Sequence[int], name: str | None = None) -> None:
        import numpy as np

        self.type = np.dtype(type)
        self.shape = tuple(int(d) for d in shape)
        self.name = name

    @property
    def required(self) -> bool:
        return True

    def to_dict(self) -> Json:
        spec = {"dtype": dtype_name(self.type), "shape": list(self.shape)}
        head: Json = {} if self.name is None else {"name": self.name}
        return {**head, "type": "tensor", "tensor-spec": spec}

    @classmethod
    def from_dict(cls, spec: Json) -> TensorSpec:
        tensor = spec["tensor-spec"]
        return cls(_dtype_from_name(tensor["dtype"]), tensor["shape"], spec.get("name"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorSpec) and (other.name, other.type, other.shape) == (
            self.name,
            self.type,
            self.shape,
        )

    def __hash__(self) -> int:
        return hash((self.name, str(self.type), self.shape))

    def __repr__(self) -> str:
        body = f"Tensor({dtype_name(self.type)!r}, {self.shape})"
        return body if self.name is None else f"{self.name!r}: {body}"


def dtype_name(dtype: Any) -> str:
    """MLflow's name for a numpy dtype: ``str``/``bytes`` for text, else numpy's name."""
    kind = dtype.kind
    return "str" if kind == "U" else "bytes" if kind == "S" else str(dtype.name)


def _dtype_from_name(name: str) -> Any:
    import numpy as np

    return np.dtype({"str": "U", "bytes": "S"}.get(name, name))


Spec = ColSpec | TensorSpec


class Schema:
    """The inputs or outputs of a model: all ColSpecs or all TensorSpecs, all named or none."""

    def __init__(self, inputs: Iterable[Spec]) -> None:
        specs = list(inputs)
        if not specs:
            raise InvalidParameter("Creating Schema with empty inputs is not allowed.")
        names = [s.name for s in specs]
        if any(n is None for n in names) and any(n is not None for n in names):
            raise InvalidParameter(
                "Creating Schema with a combination of named and unnamed inputs is not "
                f"allowed. Got input names {names}"
            )
        if len({type(s) for s in specs}) > 1:
            raise InvalidParameter(
                "Creating Schema with a combination of ColSpec and TensorSpec is not allowed."
            )
        if any(n is None for n in names) and isinstance(specs[0], TensorSpec) and len(specs) > 1:
            raise InvalidParameter("A schema of unnamed tensors holds exactly one TensorSpec.")
        self.inputs: list[Spec] = specs

    def __iter__(self) -> Iterator[Spec]:
        return iter(self.inputs)

    def __len__(self) -> int:
        return len(self.inputs)

    def is_tensor_spec(self) -> bool:
        return isinstance(self.inputs[0], TensorSpec)

    def has_input_names(self) -> bool:
        return self.inputs[0].name is not None

    def input_names(self) -> list[str | int]:
        return [s.name if s.name is not None else i for i, s in enumerate(self.inputs)]

    def required_input_names(self) -> list[str | int]:
        names = self.input_names()
        return [n for n, s in zip(names, self.inputs, strict=True) if s.required]

    def optional_input_names(self) -> list[str | int]:
        names = self.input_names()
        return [n for n, s in zip(names, self.inputs, strict=True) if not s.required]

    def input_types(self) -> list[Any]:
        return [s.type for s in self.inputs]

    def to_dict(self) -> list[Json]:
        return [s.to_dict() for s in self.inputs]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Schema:
        return cls(
            TensorSpec.from_dict(s) if s.get("type") == "tensor" else ColSpec.from_dict(s)
            for s in json.loads(text)
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schema) and other.inputs == self.inputs

    def __hash__(self) -> int:
        return hash(tuple(self.inputs))

    def __repr__(self) -> str:
        return repr(self.inputs)


class ParamSpec:
    """An inference parameter: name, type, default and shape (None or (-1,) for a list)."""

    def __init__(
        self,
        name: str,
        dtype: DataType | str,
        default: Any,
        shape: Sequence[int] | None = None,
    ) -> None:
        parsed = as_value_type(dtype)
        if not isinstance(parsed, DataType | AnyType):
            raise InvalidParameter(f"Param {name!r}: unsupported type {parsed!r}")
        self.name = name
        self.dtype: DataType = parsed if isinstance(parsed, DataType) else DataType.string
        self.shape = None if shape is None else tuple(int(d) for d in shape)
        if self.shape not in (None, (-1,)):
            raise InvalidParameter(f"Param {name!r}: shape must be None or (-1,), got {shape}")
        self.default = (
            None if default is None else coerce_param_value(self.dtype, self.shape, default)
        )

    def to_dict(self) -> Json:
        return {
            "name": self.name,
            "default": _json_default(self.default),
            "shape": None if self.shape is None else list(self.shape),
            "type": self.dtype.name,
        }

    @classmethod
    def from_dict(cls, spec: Json) -> ParamSpec:
        return cls(spec["name"], spec["type"], spec.get("default"), spec.get("shape"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParamSpec) and other.to_dict() == self.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict()))

    def __repr__(self) -> str:
        shape = "" if self.shape is None else f", shape: {self.shape}"
        return f"{self.name!r}: {self.dtype.name} (default: {self.default}{shape})"


def _json_default(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_default(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class ParamSchema:
    """The inference parameters a model accepts."""

    def __init__(self, params: Iterable[ParamSpec]) -> None:
        self.params: list[ParamSpec] = list(params)
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise InvalidParameter(f"Duplicated parameters found in schema: {names}")

    def __iter__(self) -> Iterator[ParamSpec]:
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def to_dict(self) -> list[Json]:
        return [p.to_dict() for p in self.params]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> ParamSchema:
        return cls(ParamSpec.from_dict(p) for p in json.loads(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParamSchema) and other.params == self.params

    def __hash__(self) -> int:
        return hash(tuple(self.params))

    def __repr__(self) -> str:
        return repr(self.params)
