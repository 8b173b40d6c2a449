"""The MLmodel file: a model directory's manifest (flavors, signature, example, ids).

mltrail writes MLflow's fields, except that its own version goes under `mltrail_version`:
MLflow keeps unknown top-level keys and never checks `mlflow_version` when loading, and a
foreign version number there could mislead tools that compare it with MLflow's releases.
Fields this module does not know are kept as they are, so a file round-trips unchanged.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mltrail.errors import InvalidParameter, NotFound
from mltrail.models.signature import ModelSignature
from mltrail.types.schema import ParamSchema, Schema

MLMODEL_FILE = "MLmodel"
PYFUNC_FLAVOR = "python_function"
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_KNOWN = (
    "artifact_path",
    "run_id",
    "utc_time_created",
    "flavors",
    "signature",
    "saved_input_example_info",
    "model_uuid",
    "mlflow_version",
    "mltrail_version",
    "metadata",
    "model_size_bytes",
    "model_id",
)


def _mltrail_version() -> str:
    from mltrail import __version__

    return __version__


class Model:
    """An MLmodel manifest. Extra keyword arguments become extra top-level fields."""

    def __init__(
        self,
        artifact_path: str | None = None,
        run_id: str | None = None,
        utc_time_created: str | None = None,
        flavors: dict[str, dict[str, Any]] | None = None,
        signature: ModelSignature | None = None,
        saved_input_example_info: dict[str, Any] | None = None,
        model_uuid: str | None = None,
        mlflow_version: str | None = None,
        metadata: dict[str, Any] | None = None,
        model_size_bytes: int | None = None,
        model_id: str | None = None,
        mltrail_version: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.artifact_path = artifact_path
        self.run_id = run_id
        self.utc_time_created = utc_time_created or dt.datetime.now(dt.UTC).strftime(_TIME_FORMAT)
        self.flavors: dict[str, dict[str, Any]] = dict(flavors or {})
        self.signature = signature
        self.saved_input_example_info = saved_input_example_info
        self.model_uuid = model_uuid or uuid.uuid4().hex
        self.mlflow_version = mlflow_version
        self.mltrail_version = mltrail_version or (None if mlflow_version else _mltrail_version())
        self.metadata = metadata
        self.model_size_bytes = model_size_bytes
        self.model_id = model_id
        self.extra: dict[str, Any] = dict(kwargs)

    def __getattr__(self, name: str) -> Any:
        # Unknown MLmodel fields (prompts, resources, env_vars...) read like attributes.
        extra = self.__dict__.get("extra", {})
        if name in extra:
            return extra[name]
        raise AttributeError(name)

    def add_flavor(self, name: str, **params: Any) -> Model:
        self.flavors[name] = params
        return self

    # -- signature -------------------------------------------------------------------------
    def get_input_schema(self) -> Schema | None:
        return self.signature.inputs if self.signature else None

    def get_output_schema(self) -> Schema | None:
        return self.signature.outputs if self.signature else None

    def get_params_schema(self) -> ParamSchema | None:
        return self.signature.params if self.signature else None

    def load_input_example(self, path: str | None = None) -> Any:
        """The saved input example (None without one); `path` is the model directory."""
        from mltrail.models.input_example import load_input_example

        if self.saved_input_example_info is None:
            return None
        if path is None:
            raise InvalidParameter("load_input_example needs the model directory path")
        return load_input_example(path, self.saved_input_example_info)

    # -- serialization ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self.extra}
        out["flavors"] = self.flavors
        out["model_uuid"] = self.model_uuid
        out["utc_time_created"] = self.utc_time_created
        out["model_id"] = self.model_id
        optional = {
            "artifact_path": self.artifact_path,
            "run_id": self.run_id,
            "mlflow_version": self.mlflow_version,
            "mltrail_version": self.mltrail_version,
            "metadata": self.metadata,
            "model_size_bytes": self.model_size_bytes,
            "saved_input_example_info": self.saved_input_example_info,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.signature is not None:
            out["signature"] = self.signature.to_dict()
        return out

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), default_flow_style=False)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the manifest to `path` (a directory or the MLmodel file itself)."""
        target = Path(path)
        if target.is_dir():
            target = target / MLMODEL_FILE
        target.write_text(self.to_yaml())

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> Model:
        values = dict(fields)
        signature = values.pop("signature", None)
        known = {k: values.pop(k) for k in _KNOWN if k in values}
        if known.get("model_size_bytes") is not None:
            known["model_size_bytes"] = int(known["model_size_bytes"])
        return cls(
            **known,
            signature=ModelSignature.from_dict(signature) if signature else None,
            **values,
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Model:
        """Read the manifest from a local model directory, an MLmodel file or a model URI."""
        from mltrail.models.uris import download_model

        local = Path(download_model(str(path)))
        if local.is_dir():
            local = local / MLMODEL_FILE
        if not local.is_file():
            raise NotFound(f"Could not find an '{MLMODEL_FILE}' configuration file at '{path}'")
        fields = yaml.safe_load(local.read_text()) or {}
        if not isinstance(fields, dict):
            raise InvalidParameter(f"{local} is not a valid MLmodel file")
        return cls.from_dict(fields)

    def get_model_info(self, model_uri: str | None = None) -> ModelInfo:
        return ModelInfo.from_model(self, model_uri)

    @classmethod
    def log(cls, artifact_path: str | None = None, flavor: Any = None, **kwargs: Any) -> ModelInfo:
        """Log a model through a flavor module's `save_model` (MLflow's `Model.log`)."""
        from mltrail.models.log import log_model

        save: Callable[..., Any] = flavor.save_model
        return log_model(save, name=kwargs.pop("name", None), artifact_path=artifact_path, **kwargs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and other.to_dict() == self.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Model(flavors={sorted(self.flavors)}, model_uuid={self.model_uuid!r})"


class ModelInfo:
    """What `log_model` returns: where the model is and what its MLmodel says."""

    def __init__(self, model: Model, model_uri: str | None, **extra: Any) -> None:
        self._model = model
        self.model_uri = model_uri
        self.registered_model_version: int | None = extra.pop("registered_model_version", None)
        self.name: str | None = extra.pop("name", None)
        self.params: dict[str, str] = extra.pop("params", {}) or {}
        self.tags: dict[str, str] = extra.pop("tags", {}) or {}
        self.creation_timestamp: int | None = extra.pop("creation_timestamp", None)

    @classmethod
    def from_model(cls, model: Model, model_uri: str | None = None, **extra: Any) -> ModelInfo:
        return cls(model, model_uri, **extra)

    artifact_path = property(lambda self: self._model.artifact_path)
    flavors = property(lambda self: self._model.flavors)
    model_uuid = property(lambda self: self._model.model_uuid)
    run_id = property(lambda self: self._model.run_id)
    model_id = property(lambda self: self._model.model_id)
    saved_input_example_info = property(lambda self: self._model.saved_input_example_info)
    signature = property(lambda self: self._model.signature)
    utc_time_created = property(lambda self: self._model.utc_time_created)
    mlflow_version = property(lambda self: self._model.mlflow_version)
    metadata = property(lambda self: self._model.metadata)

    @property
    def signature_dict(self) -> dict[str, str | None] | None:
        signature = self._model.signature
        return signature.to_dict() if signature else None

    def __repr__(self) -> str:
        return f"ModelInfo(model_uri={self.model_uri!r}, flavors={sorted(self.flavors)})"


def get_model_info(model_uri: str) -> ModelInfo:
    """The ModelInfo of a saved or logged model."""
    return Model.load(model_uri).get_model_info(model_uri)


def directory_size(path: str | os.PathLike[str]) -> int:
    """Bytes of every file under `path` (the model size recorded in MLmodel)."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(folder, f)) for f in files)
    return total
