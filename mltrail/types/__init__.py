"""Signature types (`mlflow.types` equivalents): DataType, composite types and schemas."""

from __future__ import annotations

from mltrail.types.datatypes import AnyType, Array, DataType, Map, Object, Property
from mltrail.types.schema import ColSpec, ParamSchema, ParamSpec, Schema, TensorSpec

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
