"""`ModelSignature` (inputs, outputs, params), `infer_signature` and `set_signature`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.types.schema import ParamSchema, Schema

_log = logging.getLogger(__name__)


class ModelSignature:
    """What a model takes and returns; stored in MLmodel as three JSON strings."""

    def __init__(
        self,
        inputs: Schema | None = None,
        outputs: Schema | None = None,
        params: ParamSchema | None = None,
    ) -> None:
        for label, value, kind in (
            ("inputs", inputs, Schema),
            ("outputs", outputs, Schema),
            ("params", params, ParamSchema),
        ):
            if value is not None and not isinstance(value, kind):
                raise TypeError(f"{label} must be a {kind.__name__} or None, got {value!r}")
        if inputs is None and outputs is None and params is None:
            raise InvalidParameter("A model signature needs inputs, outputs or params")
        self.inputs = inputs
        self.outputs = outputs
        self.params = params

    def to_dict(self) -> dict[str, str | None]:
        return {
            "inputs": None if self.inputs is None else self.inputs.to_json(),
            "outputs": None if self.outputs is None else self.outputs.to_json(),
            "params": None if self.params is None else self.params.to_json(),
        }

    @classmethod
    def from_dict(cls, signature: Mapping[str, Any]) -> ModelSignature:
        def part(key: str) -> str | None:
            value = signature.get(key)
            return value if value else None

        inputs, outputs, params = part("inputs"), part("outputs"), part("params")
        return cls(
            Schema.from_json(inputs) if inputs else None,
            Schema.from_json(outputs) if outputs else None,
            ParamSchema.from_json(params) if params else None,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelSignature) and other.to_dict() == self.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.to_dict().items()))

    def __repr__(self) -> str:
        parts = (("inputs", self.inputs), ("outputs", self.outputs), ("params", self.params))
        return "".join(f"{label}:\n  {value!r}\n" for label, value in parts)


def infer_signature(
    model_input: Any = None,
    model_output: Any = None,
    params: Mapping[str, Any] | None = None,
) -> ModelSignature:
    """Describe example inputs, outputs and params as a signature (MLflow's inference rules)."""
    from mltrail.types.infer import infer_param_schema, infer_schema

    inputs = None if model_input is None else infer_schema(model_input)
    outputs = None if model_output is None else infer_schema(model_output)
    param_schema = infer_param_schema(params) if params else None
    return ModelSignature(inputs, outputs, param_schema)


def set_signature(model_uri: str, signature: ModelSignature) -> None:
    """Replace the signature of a model stored in a local directory or a run's artifacts."""
    from mltrail.models.model import Model
    from mltrail.models.uris import rewrite_mlmodel

    def update(model: Model) -> None:
        model.signature = signature

    rewrite_mlmodel(model_uri, update)
