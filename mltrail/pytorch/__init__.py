"""The PyTorch flavor (`mlflow.pytorch` equivalent): save, log and load `torch.nn.Module`s
(Lightning modules included) and state dicts.

Two file formats, with MLflow's names under `data/`: ``pt2`` (`model.pt2`, a
`torch.export` program: a traced graph, loading runs no pickled code) and ``pickle``
(`model.pth` from `torch.save` with a cloudpickle-based pickle module, named in
`pickle_module_info.txt`). Like MLflow, ``pt2`` is the default; it traces the model on the
input example, so without a tensor example mltrail saves ``pickle`` instead of failing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.flavor_support import download_flavor, save_flavor
from mltrail.models.input_example import split_example
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.pip_pins import installable_requirements
from mltrail.models.signature import ModelSignature
from mltrail.pytorch import _files
from mltrail.pytorch._files import (
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_PT2,
    STATE_DICT_FILE,
)
from mltrail.pytorch._pyfunc import TorchPyfunc, load_pyfunc

FLAVOR_NAME = "pytorch"
DATA_DIR = "data"
_log = logging.getLogger(__name__)

__all__ = [
    "FLAVOR_NAME",
    "SERIALIZATION_FORMAT_PICKLE",
    "SERIALIZATION_FORMAT_PT2",
    "autolog",
    "get_default_pip_requirements",
    "load_model",
    "load_state_dict",
    "log_model",
    "log_state_dict",
    "save_model",
    "save_state_dict",
]


def get_default_pip_requirements() -> list[str]:
    return installable_requirements(["torch", "cloudpickle"])


def _requirements(pytorch_model: Any) -> list[str]:
    """torch and cloudpickle, plus the packages the model's classes come from (Lightning...)."""
    modules = {"torch", "cloudpickle", "numpy"}
    submodules = getattr(pytorch_model, "modules", None)
    for part in submodules() if callable(submodules) else (pytorch_model,):
        modules.update(cls.__module__ for cls in type(part).__mro__)
    return installable_requirements(modules)


def save_model(
    pytorch_model: Any,
    path: str | os.PathLike[str],
    conda_env: Any = None,
    mlflow_model: Model | None = None,
    code_paths: Sequence[str] | None = None,
    pickle_module: Any = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    extra_files: Sequence[str] | None = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    export_model: bool = False,
    serialization_format: str | None = None,
    **kwargs: Any,
) -> None:
    """Save a `torch.nn.Module` to a local directory in MLflow's pytorch format.

    `kwargs` go to `torch.save` (``pickle`` format).
    """
    import torch

    if not isinstance(pytorch_model, torch.nn.Module):
        raise TypeError("Argument 'pytorch_model' should be a torch.nn.Module")
    example = split_example(input_example)[0] if input_example is not None else None
    fmt = _choose_format(serialization_format, export_model, example)

    def write(local: str) -> dict[str, Any]:
        data = os.path.join(local, DATA_DIR)
        os.makedirs(data)
        if fmt == SERIALIZATION_FORMAT_PT2:
            _files.export_pt2(pytorch_model, example, data)
        else:
            _files.save_pickled(pytorch_model, data, pickle_module, kwargs)
        return {"model_data": DATA_DIR, "pytorch_version": str(torch.__version__)}

    save_flavor(
        path,
        mlflow_model,
        flavor_name=FLAVOR_NAME,
        loader_module="mlflow.pytorch",
        write=write,
        pyfunc_fields={
            "data": DATA_DIR,
            "pickle_module_name": _files.pickle_module_name(pickle_module),
            "config": {"device": None},
        },
        code_paths=code_paths,
        extra_files=extra_files,
        signature=signature,
        input_example=input_example,
        metadata=metadata,
        default_requirements=_requirements(pytorch_model),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
        predict=lambda data, _params: TorchPyfunc(pytorch_model).predict(data),
    )


def _choose_format(serialization_format: str | None, export_model: bool, example: Any) -> str:
    supported = (SERIALIZATION_FORMAT_PICKLE, SERIALIZATION_FORMAT_PT2)
    if serialization_format is not None and serialization_format not in supported:
        raise InvalidParameter(
            f"Unrecognized serialization format: {serialization_format}. Please specify one "
            f"of the following supported formats: {list(supported)}."
        )
    if serialization_format is None:
        if export_model or _files.is_tensor_example(example):
            serialization_format = SERIALIZATION_FORMAT_PT2
        else:
            _log.info("No tensor input example to trace the model with: saving it as a pickle")
            serialization_format = SERIALIZATION_FORMAT_PICKLE
    if serialization_format == SERIALIZATION_FORMAT_PT2 and not _files.is_tensor_example(example):
        raise InvalidParameter(
            "The 'pt2' serialization format traces the model on the input example, so "
            "input_example is required and must be a numpy array or torch tensor, or a "
            "tuple/list of them. Pass one, or use serialization_format='pickle'."
        )
    return serialization_format


def log_model(
    pytorch_model: Any,
    artifact_path: str | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    pickle_module: Any = None,
    registered_model_name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    extra_files: Sequence[str] | None = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    export_model: bool = False,
    serialization_format: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log a `torch.nn.Module` as an MLflow 3 LoggedModel (of the active run, if any)."""
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
        pytorch_model=pytorch_model,
        conda_env=conda_env,
        code_paths=code_paths,
        pickle_module=pickle_module,
        signature=signature,
        input_example=input_example,
        extra_files=extra_files,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        export_model=export_model,
        serialization_format=serialization_format,
        **kwargs,
    )


def load_model(model_uri: str, dst_path: str | None = None, **kwargs: Any) -> Any:
    """The module saved at `model_uri` (any model URI); `kwargs` go to `torch.load`.

    A ``pt2`` model loads as the exported program's `torch.fx.GraphModule`.
    """
    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return _files.load_data_dir(os.path.join(local, str(conf.get("model_data", DATA_DIR))), kwargs)


def _load_pyfunc(
    path: str, model_config: Mapping[str, Any] | None = None, weights_only: bool = False
) -> TorchPyfunc:
    """Loader for the `python_function` flavor; `path` is the model's `data` directory."""
    return load_pyfunc(path, model_config, weights_only)


# -- state dicts ---------------------------------------------------------------------------
def save_state_dict(state_dict: Mapping[str, Any], path: str, **kwargs: Any) -> None:
    """Save a state dict as `path`/state_dict.pth; `kwargs` go to `torch.save`."""
    import torch

    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Invalid object type for `state_dict`: {type(state_dict)}")
    os.makedirs(path, exist_ok=True)
    torch.save(state_dict, os.path.join(path, STATE_DICT_FILE), **kwargs)


def log_state_dict(state_dict: Mapping[str, Any], artifact_path: str, **kwargs: Any) -> None:
    """Save a state dict as a run artifact under `artifact_path` of the active run."""
    import tempfile

    from mltrail.tracking.fluent_artifacts import log_artifacts

    with tempfile.TemporaryDirectory(prefix="mltrail-state-dict-") as scratch:
        save_state_dict(state_dict, scratch, **kwargs)
        log_artifacts(scratch, artifact_path)


def load_state_dict(state_dict_uri: str, **kwargs: Any) -> Any:
    """The state dict saved at `state_dict_uri`; `kwargs` go to `torch.load`."""
    import torch

    from mltrail.models.uris import download_model

    local = download_model(str(state_dict_uri))
    return torch.load(os.path.join(local, STATE_DICT_FILE), **kwargs)


def autolog(*args: Any, **kwargs: Any) -> None:
    """Log PyTorch Lightning training automatically (MLflow's options; see docs/autolog.md)."""
    from mltrail.autolog import pytorch as integration

    integration.autolog(*args, **kwargs)
