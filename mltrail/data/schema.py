"""Dataset schemas in MLflow's stored JSON shapes: ``{"mlflow_colspec": [...]}`` for tables
and ``{"mlflow_tensorspec": {"features": ..., "targets": ...}}`` for arrays.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TabularSchema:
    """Column specs: ``{"type": ..., "name": ..., "required": ...}`` (arrays add "items",
    objects add "properties")."""

    columns: tuple[dict[str, Any], ...]

    def input_names(self) -> list[Any]:
        return [column["name"] for column in self.columns]

    def to_dict(self) -> dict[str, Any]:
        return {"mlflow_colspec": [dict(column) for column in self.columns]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def __repr__(self) -> str:
        described = ", ".join(
            f"{column['name']!r}: {column['type']} "
            f"({'required' if column.get('required', True) else 'optional'})"
            for column in self.columns
        )
        return f"[{described}]"


@dataclass(frozen=True)
class TensorSchema:
    """Tensor specs of the features and (optionally) the targets of an array dataset."""

    features: tuple[dict[str, Any], ...]
    targets: tuple[dict[str, Any], ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        # MLflow stores each side as a JSON string inside the JSON object.
        return {
            "mlflow_tensorspec": {
                "features": _specs_json(self.features),
                "targets": None if self.targets is None else _specs_json(self.targets),
            }
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


def _specs_json(specs: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(specs))
