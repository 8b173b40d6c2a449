"""The ONNX flavor (`mlflow.onnx` equivalent): save, log and load ONNX `ModelProto`s; the pyfunc
view runs them with onnxruntime.

The MLmodel entry uses MLflow's keys (`data`, `onnx_version`, `providers`,
`onnx_session_options`), so files cross both ways. Large weights may sit beside `model.onnx`
as ONNX external data (`save_as_external_data`).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.flavor_support import download_flavor, pyfunc_data, save_flavor
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.signature import ModelSignature
from mltrail.onnx import runtime
from mltrail.onnx.runtime import OnnxModelWrapper

FLAVOR_NAME = "onnx"
MODEL_FILE = "model.onnx"
ONNX_EXECUTION_PROVIDERS = ["CUDAExecutionProvider", "CPUExecutionProvider"]

__all__ = [
    "FLAVOR_NAME",
    "ONNX_EXECUTION_PROVIDERS",
    "get_default_pip_requirements",
    "load_model",
    "log_model",
    "save_model",
]


def get_default_pip_requirements() -> list[str]:
    return environment.requirements_for_modules(["onnx", "onnxruntime"])


def save_model(
    onnx_model: Any,
    path: str | os.PathLike[str],
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    mlflow_model: Model | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    onnx_execution_providers: Sequence[str] | None = None,
    onnx_session_options: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    save_as_external_data: bool = True,
    extra_files: Sequence[str] | None = None,
    **kwargs: Any,
) -> None:
    """Save an ONNX model (a `ModelProto` or the path of an .onnx file).

    `kwargs` are accepted for MLflow compatibility and unused.
    """
    import onnx

    proto = _as_proto(onnx_model)
    onnx.checker.check_model(proto)
    providers = list(onnx_execution_providers or ONNX_EXECUTION_PROVIDERS)
    session_options = _plain_session_options(onnx_session_options)
    runtime.session_options(session_options)  # refuse unknown options now, not at load time

    def write(local: str) -> dict[str, Any]:
        onnx.save_model(
            proto, os.path.join(local, MODEL_FILE), save_as_external_data=save_as_external_data
        )
        return {
            "data": MODEL_FILE,
            "onnx_session_options": session_options,
            "onnx_version": onnx.__version__,
            "providers": providers,
        }

    save_flavor(
        path,
        mlflow_model,
        flavor_name=FLAVOR_NAME,
        loader_module="mlflow.onnx",
        write=write,
        pyfunc_fields={"data": MODEL_FILE},
        code_paths=code_paths,
        extra_files=extra_files,
        signature=signature,
        input_example=input_example,
        metadata=metadata,
        default_requirements=environment.requirements_for_modules(["onnx", "onnxruntime", "numpy"]),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
        predict=lambda data, params: OnnxModelWrapper.from_proto(proto, session_options).predict(
            data
        ),
    )


def _as_proto(onnx_model: Any) -> Any:
    import onnx

    if isinstance(onnx_model, onnx.ModelProto):
        return onnx_model
    if isinstance(onnx_model, str | os.PathLike) and os.path.isfile(onnx_model):
        return onnx.load(os.fspath(onnx_model))
    raise InvalidParameter(
        f"Expected an onnx.ModelProto or the path of an .onnx file, got {type(onnx_model)}"
    )


def _plain_session_options(options: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The options as YAML-friendly values (onnxruntime enums become their numbers)."""
    if options is None:
        return None
    if not isinstance(options, Mapping):
        raise InvalidParameter(
            "onnx_session_options must be a dict of onnxruntime.SessionOptions attributes"
        )
    plain: dict[str, Any] = {}
    for key, value in options.items():
        if value is None or isinstance(value, bool | int | float | str):
            plain[str(key)] = value
        elif isinstance(value, enum.Enum) or hasattr(value, "__int__"):
            plain[str(key)] = int(value)
        else:
            raise InvalidParameter(f"onnx_session_options[{key!r}] must be a plain value")
    return plain


def log_model(
    onnx_model: Any,
    artifact_path: str | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    registered_model_name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    onnx_execution_providers: Sequence[str] | None = None,
    onnx_session_options: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    save_as_external_data: bool = True,
    extra_files: Sequence[str] | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log an ONNX model as an MLflow 3 LoggedModel (of the active run, if any)."""
    return log_saved_model(
        save_model,
        name=name,
        artifact_path=artifact_path,
        registered_model_name=registered_model_name,
        await_registration_for=await_registration_for,
        params=params,
        tags=tags,
        model_type=model_type,
        step=step,
        model_id=model_id,
        onnx_model=onnx_model,
        conda_env=conda_env,
        code_paths=code_paths,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        onnx_execution_providers=onnx_execution_providers,
        onnx_session_options=onnx_session_options,
        metadata=metadata,
        save_as_external_data=save_as_external_data,
        extra_files=extra_files,
        **kwargs,
    )


def load_model(model_uri: str, dst_path: str | None = None) -> Any:
    """The `onnx.ModelProto` saved at `model_uri` (any model URI), external data included."""
    import onnx

    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return onnx.load(os.path.join(local, conf.get("data", MODEL_FILE)))


def _load_pyfunc(path: str, model_config: Any = None) -> OnnxModelWrapper:
    """Loader for the `python_function` flavor; `path` is the .onnx file."""
    source, conf = pyfunc_data(path, FLAVOR_NAME)
    return OnnxModelWrapper.from_path(
        source, conf.get("onnx_session_options"), conf.get("providers")
    )
