"""Value types of model signatures: scalar `DataType`s and the composite Array, Object, Map, Any.

Each type renders to the JSON dict MLflow writes inside an MLmodel `signature:` block, and
`parse_type` reads those dicts back.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeAlias

from mltrail.errors import InvalidParameter

Json: TypeAlias = dict[str, Any]


class DataType(Enum):
    """Scalar column types, numbered as MLflow numbers them."""

    boolean = 1
    integer = 2
    long = 3
    float = 4
    double = 5
    string = 6
    binary = 7
    datetime = 8

    def __repr__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def to_numpy(self) -> Any:
        import numpy as np

        return np.dtype(_NUMPY_NAMES[self])

    def to_python(self) -> type:
        return _PYTHON_TYPES[self]

    @classmethod
    def parse(cls, value: str | DataType) -> DataType:
        if isinstance(value, DataType):
            return value
        try:
            return cls[value]
        except KeyError:
            known = ", ".join(t.name for t in cls)
            raise InvalidParameter(f"Unsupported type {value!r}, expected one of {known}") from None


_NUMPY_NAMES = {
    DataType.boolean: "bool",
    DataType.integer: "int32",
    DataType.long: "int64",
    DataType.float: "float32",
    DataType.double: "float64",
    DataType.string: "object",
    DataType.binary: "object",
    DataType.datetime: "datetime64[ns]",
}
_PYTHON_TYPES: dict[DataType, type] = {
    DataType.boolean: bool,
    DataType.integer: int,
    DataType.long: int,
    DataType.float: float,
    DataType.double: float,
    DataType.string: str,
    DataType.binary: bytes,
    DataType.datetime: object,
}


class Array:
    """A list whose items all have `dtype`."""

    def __init__(self, dtype: ValueType | str) -> None:
        self.dtype: ValueType = as_value_type(dtype)

    def to_dict(self) -> Json:
        return {"type": "array", "items": type_dict(self.dtype)}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Array) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("array", repr(self.dtype)))

    def __repr__(self) -> str:
        return f"Array({type_repr(self.dtype)})"


class Property:
    """One named field of an `Object`."""

    def __init__(self, name: str, dtype: ValueType | str, required: bool = True) -> None:
        self.name = name
        self.dtype: ValueType = as_value_type(dtype)
        self.required = required

    def to_dict(self) -> Json:
        return {self.name: {**type_dict(self.dtype), "required": self.required}}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Property) and (other.name, other.dtype, other.required) == (
            self.name,
            self.dtype,
            self.required,
        )

    def __hash__(self) -> int:
        return hash((self.name, repr(self.dtype), self.required))

    def __repr__(self) -> str:
        need = "required" if self.required else "optional"
        return f"{self.name}: {type_repr(self.dtype)} ({need})"


class Object:
    """A dict with known fields; properties are kept sorted by name, as MLflow does."""

    def __init__(self, properties: Iterable[Property]) -> None:
        props = sorted(properties, key=lambda p: p.name)
        names = [p.name for p in props]
        if len(set(names)) != len(names):
            raise InvalidParameter(f"Duplicated property names in Object: {names}")
        self.properties: list[Property] = props

    def to_dict(self) -> Json:
        fields: Json = {}
        for prop in self.properties:
            fields.update(prop.to_dict())
        return {"type": "object", "properties": fields}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Object) and other.properties == self.properties

    def __hash__(self) -> int:
        return hash(tuple(self.properties))

    def __repr__(self) -> str:
        return "{" + ", ".join(repr(p) for p in self.properties) + "}"


class Map:
    """A dict from strings to values of `value_type`."""

    def __init__(self, value_type: ValueType | str) -> None:
        self.value_type: ValueType = as_value_type(value_type)

    def to_dict(self) -> Json:
        return {"type": "map", "values": type_dict(self.value_type)}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Map) and other.value_type == self.value_type

    def __hash__(self) -> int:
        return hash(("map", repr(self.value_type)))

    def __repr__(self) -> str:
        return f"Map(str -> {type_repr(self.value_type)})"


class AnyType:
    """Any value at all (no enforcement)."""

    def to_dict(self) -> Json:
        return {"type": "any"}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnyType)

    def __hash__(self) -> int:
        return hash("any")

    def __repr__(self) -> str:
        return "Any"


ValueType: TypeAlias = DataType | Array | Object | Map | AnyType


def as_value_type(value: ValueType | str) -> ValueType:
    return DataType.parse(value) if isinstance(value, str) else value


def type_dict(dtype: ValueType) -> Json:
    return {"type": dtype.name} if isinstance(dtype, DataType) else dtype.to_dict()


def type_repr(dtype: ValueType) -> str:
    return dtype.name if isinstance(dtype, DataType) else repr(dtype)


def parse_type(spec: Json) -> ValueType:
    """The type a `{"type": ...}` dict (from a signature's JSON) describes."""
    kind = spec.get("type")
    if kind == "array":
        return Array(parse_type(spec["items"]))
    if kind == "object":
        return Object(
            Property(name, parse_type(field), field.get("required", True))
            for name, field in spec["properties"].items()
        )
    if kind == "map":
        return Map(parse_type(spec["values"]))
    if kind == "any":
        return AnyType()
    if not isinstance(kind, str):
        raise InvalidParameter(f"A type needs a 'type' string, got {spec!r}")
    return DataType.parse(kind)
