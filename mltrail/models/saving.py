"""The steps every flavor's `save_model` shares: a fresh directory (removed again if saving
fails), then the input example, environment files, signature and MLmodel manifest.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from mltrail.errors import AlreadyExists, MltrailError
from mltrail.models import environment
from mltrail.models.model import PYFUNC_FLAVOR, Model, directory_size
from mltrail.models.signature import ModelSignature

_log = logging.getLogger(__name__)


@contextmanager
def new_model_dir(path: str | os.PathLike[str]) -> Iterator[str]:
    """Create `path` (refusing a non-empty one) and delete it if the block fails."""
    target = os.path.abspath(os.fspath(path))
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise AlreadyExists(f"Path '{target}' already exists and is not empty")
    os.makedirs(target, exist_ok=True)
    try:
        yield target
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def finish_model_dir(
    path: str,
    model: Model,
    *,
    signature: ModelSignature | bool | None = None,
    input_example: Any = None,
    metadata: Mapping[str, Any] | None = None,
    default_requirements: Iterable[str] = (),
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    conda_env: Any = None,
    predict: Callable[[Any, Any], Any] | None = None,
) -> Model:
    """Write example, environment, signature and MLmodel into `path`; return the manifest."""
    from mltrail.models.input_example import save_input_example, split_example

    if input_example is not None:
        model.saved_input_example_info = save_input_example(path, input_example)
    if signature is None and input_example is not None:
        signature = _signature_from_example(*split_example(input_example), predict)
    elif isinstance(signature, ModelSignature) and input_example is not None:
        _check_example(split_example(input_example)[0], signature)
    model.signature = signature if isinstance(signature, ModelSignature) else None
    if metadata is not None:
        model.metadata = dict(metadata)
    env = environment.write_environment(
        path, default_requirements, pip_requirements, extra_pip_requirements, conda_env
    )
    if PYFUNC_FLAVOR in model.flavors:
        model.flavors[PYFUNC_FLAVOR]["env"] = env
    model.model_size_bytes = directory_size(path)
    model.save(path)
    return model


def _signature_from_example(
    data: Any, params: dict[str, Any] | None, predict: Callable[[Any, Any], Any] | None
) -> ModelSignature | None:
    from mltrail.types.infer import infer_param_schema, infer_schema

    try:
        inputs = infer_schema(data)
        param_schema = infer_param_schema(params) if params else None
    except MltrailError as reason:
        _log.warning("Could not infer the model signature from the input example: %s", reason)
        return None
    outputs = None
    if predict is not None:
        try:
            outputs = infer_schema(predict(data, params))
        except Exception as reason:
            _log.warning("Could not infer the output schema by predicting the example: %s", reason)
    return ModelSignature(inputs, outputs, param_schema)


def _check_example(data: Any, signature: ModelSignature) -> None:
    from mltrail.models.enforce import enforce_schema

    if signature.inputs is None:
        return
    try:
        enforce_schema(data, signature.inputs)
    except MltrailError as reason:
        _log.warning("The input example does not match the model signature: %s", reason)


def pyfunc_flavor_entry(loader_module: str, **fields: Any) -> dict[str, Any]:
    """The `python_function` flavor entry: loader module, python version, flavor fields."""
    import platform

    entry: dict[str, Any] = {"loader_module": loader_module}
    entry.update({k: v for k, v in fields.items() if v is not None or k == "code"})
    entry["python_version"] = platform.python_version()
    return entry


def copy_code_paths(
    path: str, code_paths: Iterable[str] | None, folder: str = "code"
) -> str | None:
    """Copy user code (files or packages) into `path`/code; return the folder name or None."""
    paths = list(code_paths or ())
    if not paths:
        return None
    target = os.path.join(path, folder)
    os.makedirs(target, exist_ok=True)
    for source in paths:
        destination = os.path.join(target, os.path.basename(os.path.normpath(source)))
        if os.path.isdir(source):
            shutil.copytree(source, destination)
        else:
            shutil.copy2(source, destination)
    return folder


def model_for(mlflow_model: Model | None) -> Model:
    return mlflow_model if mlflow_model is not None else Model()
