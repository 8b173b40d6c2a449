"""Parse request fields into typed, frozen request dataclasses, checking types like MLflow.

A request message is a dataclass whose annotations say the wire types: ``str``, ``int``
(int64), ``float`` (double, with "NaN"/"Infinity" strings), ``bool``, the entity enums,
nested dataclasses and ``tuple[X, ...]`` for repeated fields. A field without a default is
required. JSON bodies are parsed strictly; query strings (every value a string, repeated keys
for lists) go through `parse_query`, which converts text to the declared types.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from mltrail.entities import LoggedModelStatus, RunStatus, ViewType
from mltrail.errors import ErrorCode, InvalidParameter, MltrailError
from mltrail.wire.json import decode_double

T = TypeVar("T")

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
_INT64 = (-(2**63), 2**63 - 1)


class MultiMapping(Protocol):
    """What a parsed query string offers (Starlette's QueryParams, httpx's, a MultiDict)."""

    def getlist(self, key: str) -> list[str]: ...

    def __contains__(self, key: object) -> bool: ...


def parse(cls: type[T], data: object, *, text: bool = False) -> T:
    """Build `cls` from a JSON object; `text` accepts strings for numbers and bools."""
    if not isinstance(data, Mapping):
        raise MltrailError(
            f"The request body must be a JSON object, got {_json_type(data)}.",
            ErrorCode.MALFORMED_REQUEST,
        )
    try:
        parsed: T = _message(cls)(data, text)
    except _Invalid as problem:
        raise problem.as_error() from None
    return parsed


def parse_query(cls: type[T], query: MultiMapping, extra: Mapping[str, str] | None = None) -> T:
    """Build `cls` from a query string: the last value of a key, or all of them for lists."""
    data: dict[str, Any] = {}
    for field in _plan(cls):
        if field.name in query:
            values = query.getlist(field.name)
            data[field.name] = values if field.repeated else values[-1]
    data.update(extra or {})
    return parse(cls, data, text=True)


Converter = Callable[[object, bool], Any]


class _Invalid(Exception):
    """A bad field; the path is filled in while the error unwinds through the nesting."""

    def __init__(self, raw: object, reason: str | None) -> None:
        self.raw = raw
        self.reason = reason  # None: the field is missing
        self.path: list[str] = []

    def as_error(self) -> InvalidParameter:
        where = ""
        for segment in self.path:
            where += segment if segment.startswith("[") or not where else f".{segment}"
        if self.reason is None:
            return InvalidParameter(f"Missing value for required parameter '{where}'.")
        shown = f'"{self.raw}"' if isinstance(self.raw, str) else repr(self.raw)
        return InvalidParameter(
            f"Invalid value {shown} for parameter '{where}' supplied: {self.reason}, "
            f"got {_json_type(self.raw)}."
        )


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    required: bool
    repeated: bool
    convert: Converter


_PLANS: dict[type[Any], tuple[_Field, ...]] = {}


def _plan(cls: type[Any]) -> tuple[_Field, ...]:
    """How to read each field of a message, worked out once per class."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls)
        plan = _PLANS[cls] = tuple(
            _Field(
                f.name,
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
                typing.get_origin(_strip_optional(hints[f.name])) is tuple,
                _converter(hints[f.name]),
            )
            for f in dataclasses.fields(cls)
        )
    return plan


def _strip_optional(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _converter(annotation: Any) -> Converter:
    kind = _strip_optional(annotation)
    if typing.get_origin(kind) is tuple:
        return _repeated(_converter(typing.get_args(kind)[0]))
    if dataclasses.is_dataclass(kind):
        return _message(typing.cast("type[Any]", kind))
    scalar = _SCALARS.get(kind) or _ENUMS.get(kind)
    if scalar is None:  # pragma: no cover - a schema declared an unsupported type
        raise TypeError(f"unsupported wire type {kind!r}")
    reason = _EXPECTED.get(kind) or f"expected one of {_names(kind)}"

    def convert(raw: object, text: bool) -> Any:
        value = scalar(raw, text)
        if value is None:
            raise _Invalid(raw, reason)
        return value

    return convert


def _repeated(item: Converter) -> Converter:
    def convert(raw: object, text: bool) -> tuple[Any, ...]:
        if not isinstance(raw, list):
            raise _Invalid(raw, "expected a list")
        items = []
        for index, value in enumerate(raw):
            try:
                items.append(item(value, text))
            except _Invalid as problem:
                problem.path.insert(0, f"[{index}]")
                raise
        return tuple(items)

    return convert


def _message(cls: type[Any]) -> Converter:
    def convert(raw: object, text: bool) -> Any:
        if type(raw) is not dict and not isinstance(raw, Mapping):
            raise _Invalid(raw, "expected a JSON object")
        values: dict[str, Any] = {}
        for field in _plan(cls):
            value = raw.get(field.name)
            if value is None:
                if field.required:
                    missing = _Invalid(None, None)
                    missing.path.append(field.name)
                    raise missing
                continue
            try:
                values[field.name] = field.convert(value, text)
            except _Invalid as problem:
                problem.path.insert(0, field.name)
                raise
        return cls(**values)

    return convert


def _json_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _to_str(raw: object, text: bool) -> str | None:
    return raw if type(raw) is str or isinstance(raw, str) else None


def _to_int(raw: object, text: bool) -> int | None:
    if type(raw) is int and _INT64[0] <= raw <= _INT64[1]:  # the common case, first
        return raw
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
        value = int(raw)  # proto-JSON writes int64 as strings; MLflow's clients may too
    if value is None or not _INT64[0] <= value <= _INT64[1]:
        return None
    return value


def _to_float(raw: object, text: bool) -> float | None:
    return decode_double(raw)


def _to_bool(raw: object, text: bool) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if text and isinstance(raw, str):
        lowered = raw.lower()  # `requests` sends Python's True as "True"
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def _enum_by_name_or_number(
    cls: type[enum.Enum], numbers: Mapping[int, enum.Enum], prefix: str = ""
) -> Callable[[object, bool], Any]:
    def convert(raw: object, text: bool) -> Any:
        if isinstance(raw, str):
            name = raw.upper().removeprefix(prefix)
            if name in cls.__members__:
                return cls[name]
            raw = _to_int(raw, text)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return numbers.get(raw)
        return None

    return convert


def _names(kind: Any) -> list[str]:
    return [m.name for m in kind] if isinstance(kind, type) and issubclass(kind, enum.Enum) else []


_SCALARS: dict[Any, Callable[[object, bool], Any]] = {
    str: _to_str,
    int: _to_int,
    float: _to_float,
    bool: _to_bool,
}
_EXPECTED = {
    str: "expected a string",
    int: "expected a 64-bit integer",
    float: "expected a double",
    bool: "expected true or false",
}
_ENUMS: dict[Any, Callable[[object, bool], Any]] = {
    RunStatus: _enum_by_name_or_number(RunStatus, {s.number: s for s in RunStatus}),
    ViewType: _enum_by_name_or_number(ViewType, {v.value: v for v in ViewType}),
    LoggedModelStatus: _enum_by_name_or_number(
        LoggedModelStatus,
        dict(enumerate(LoggedModelStatus, start=1)),
        prefix="LOGGED_MODEL_",
    ),
}
