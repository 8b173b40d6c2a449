"""Model packaging (`mlflow.models` equivalents): the MLmodel manifest, signatures, examples,
environments, the flavor registry and model URIs.
"""

from __future__ import annotations

from mltrail.models.code_model import ModelConfig, set_model
from mltrail.models.enforce import validate_schema
from mltrail.models.model import Model, ModelInfo, get_model_info
from mltrail.models.signature import ModelSignature, infer_signature, set_signature

__all__ = [
    "Model",
    "ModelConfig",
    "ModelInfo",
    "ModelSignature",
    "get_model_info",
    "infer_signature",
    "set_model",
    "set_signature",
    "validate_schema",
]
