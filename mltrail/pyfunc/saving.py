"""`save_model` / `log_model` for custom models: a `PythonModel` (pickled with cloudpickle, with
`artifacts`), a model-code file (a path as `python_model`: copied, run again when loading), or
a custom `loader_module` with its `data_path`; all may ship `code_paths`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.code_model import (
    ModelConfigSource,
    imported_modules,
    load_model_code,
    model_code_file,
    read_model_config,
)
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import PYFUNC_FLAVOR, Model, ModelInfo
from mltrail.models.saving import (
    copy_code_paths,
    finish_model_dir,
    model_for,
    new_model_dir,
    pyfunc_flavor_entry,
)
from mltrail.models.signature import ModelSignature
from mltrail.pyfunc.model import (
    ARTIFACTS_FOLDER,
    MODEL_CODE_PATH,
    PYTHON_MODEL_FILE,
    PythonModelContext,
    PythonModelWrapper,
    as_python_model,
)

# What MLflow writes as the loaders of PythonModel and model-code files; mltrail maps them
# back to its own.
PYTHON_MODEL_LOADER = "mlflow.pyfunc.model"
CODE_MODEL_LOADER = "mlflow.pyfunc.loaders.code_model"


def save_model(
    path: str | os.PathLike[str],
    loader_module: str | None = None,
    data_path: str | None = None,
    code_paths: Sequence[str] | None = None,
    conda_env: Any = None,
    mlflow_model: Model | None = None,
    python_model: Any = None,
    artifacts: Mapping[str, str] | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    model_config: ModelConfigSource | None = None,
    streamable: bool | None = None,
    **_ignored: Any,
) -> None:
    """Save a custom model to a local directory (exactly one of python_model, loader_module).

    `python_model` is a PythonModel instance or the path of a model-code file that calls
    `set_model`; `model_config` (a dict or a YAML file) is what the model reads back.
    """
    if (python_model is None) == (loader_module is None):
        raise InvalidParameter(
            "Either `loader_module` or `python_model` must be specified (but not both). "
            "A `loader_module` should be a python module. A `python_model` should be a "
            "subclass of PythonModel"
        )
    if loader_module is not None and artifacts:
        raise InvalidParameter("`artifacts` can only be used with `python_model`")
    config = read_model_config(model_config)
    code_file = model_code_file(python_model) if _is_path(python_model) else None
    model = model_for(mlflow_model)
    with new_model_dir(path) as local:
        code = copy_code_paths(local, code_paths)
        if code_file is not None:
            entry, requirements, predict = _save_code_model(
                local, code_file, artifacts, config, streamable
            )
        elif python_model is not None:
            entry, requirements, predict = _save_python_model(
                local, python_model, artifacts, config, streamable
            )
        else:
            entry, requirements, predict = _save_loader_module(local, str(loader_module), data_path)
        model.add_flavor(PYFUNC_FLAVOR, **pyfunc_flavor_entry(code=code, **entry))
        finish_model_dir(
            local,
            model,
            signature=signature,
            input_example=input_example,
            metadata=metadata,
            default_requirements=requirements,
            pip_requirements=pip_requirements,
            extra_pip_requirements=extra_pip_requirements,
            conda_env=conda_env,
            predict=predict,
        )


def _save_python_model(
    local: str,
    python_model: Any,
    artifacts: Mapping[str, str] | None,
    model_config: dict[str, Any] | None,
    streamable: bool | None,
) -> tuple[dict[str, Any], list[str], Any]:
    import cloudpickle

    if not hasattr(python_model, "predict"):
        raise InvalidParameter("`python_model` must have a `predict` method (a PythonModel)")
    saved_artifacts = _copy_artifacts(local, artifacts or {})
    pickle_path = os.path.join(local, PYTHON_MODEL_FILE)
    with open(pickle_path, "wb") as out:
        cloudpickle.dump(python_model, out)
    entry: dict[str, Any] = {
        "loader_module": PYTHON_MODEL_LOADER,
        "python_model": PYTHON_MODEL_FILE,
        "cloudpickle_version": cloudpickle.__version__,
        "streamable": bool(streamable) if streamable is not None else False,
    }
    if saved_artifacts:
        entry["artifacts"] = saved_artifacts
    if model_config:
        entry["config"] = dict(model_config)
    modules = environment.modules_in_pickle(pickle_path) | {"cloudpickle"}
    requirements = environment.requirements_for_modules(modules)
    return entry, requirements, _example_predict(local, python_model, saved_artifacts, model_config)


def _is_path(python_model: Any) -> bool:
    return isinstance(python_model, str | os.PathLike)


def _save_code_model(
    local: str,
    code_file: Path,
    artifacts: Mapping[str, str] | None,
    model_config: dict[str, Any] | None,
    streamable: bool | None,
) -> tuple[dict[str, Any], list[str], Any]:
    """Copy the model-code file into the model directory after checking it sets a model."""
    python_model = as_python_model(load_model_code(code_file, model_config))
    shutil.copy2(code_file, os.path.join(local, code_file.name))
    saved_artifacts = _copy_artifacts(local, artifacts or {})
    # MLflow records the original absolute path; loaders look for its file name in the model.
    entry: dict[str, Any] = {
        "loader_module": CODE_MODEL_LOADER,
        MODEL_CODE_PATH: str(code_file),
        "streamable": bool(streamable) if streamable is not None else False,
    }
    if saved_artifacts:
        entry["artifacts"] = saved_artifacts
    if model_config:
        entry["config"] = dict(model_config)
    requirements = environment.requirements_for_modules(imported_modules(code_file))
    return entry, requirements, _example_predict(local, python_model, saved_artifacts, model_config)


def _example_predict(
    local: str,
    python_model: Any,
    saved_artifacts: Mapping[str, Mapping[str, str]],
    model_config: Mapping[str, Any] | None,
) -> Any:
    """Predicts the input example (to infer the output schema) as the loaded model would."""
    context = PythonModelContext(
        {k: os.path.join(local, v["path"]) for k, v in saved_artifacts.items()}, model_config
    )

    def predict(data: Any, params: Any) -> Any:
        python_model.load_context(context)
        return PythonModelWrapper(python_model, context).predict(data, params)

    return predict


def _copy_artifacts(local: str, artifacts: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Copy each artifact into `artifacts/`; record its relative path and original URI."""
    from mltrail.models.uris import download_model

    if not artifacts:
        return {}
    folder = os.path.join(local, ARTIFACTS_FOLDER)
    os.makedirs(folder, exist_ok=True)
    saved: dict[str, dict[str, str]] = {}
    for name, uri in artifacts.items():
        source = download_model(str(uri))
        target = os.path.join(folder, os.path.basename(os.path.normpath(source)))
        if os.path.isdir(source):
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
        relative = os.path.relpath(target, local).replace(os.sep, "/")
        saved[name] = {"path": relative, "uri": str(uri)}
    return saved


def _save_loader_module(
    local: str, loader_module: str, data_path: str | None
) -> tuple[dict[str, Any], list[str], None]:
    entry: dict[str, Any] = {"loader_module": loader_module}
    if data_path is not None:
        name = os.path.basename(os.path.normpath(data_path))
        target = os.path.join(local, name)
        if os.path.isdir(data_path):
            shutil.copytree(data_path, target)
        else:
            shutil.copy2(data_path, target)
        entry["data"] = name
    return entry, [], None


def log_model(
    artifact_path: str | None = None,
    loader_module: str | None = None,
    data_path: str | None = None,
    code_paths: Sequence[str] | None = None,
    conda_env: Any = None,
    python_model: Any = None,
    artifacts: Mapping[str, str] | None = None,
    registered_model_name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    model_config: ModelConfigSource | None = None,
    streamable: bool | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
) -> ModelInfo:
    """Log a custom model as an MLflow 3 LoggedModel; returns its ModelInfo."""
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
        loader_module=loader_module,
        data_path=data_path,
        code_paths=code_paths,
        conda_env=conda_env,
        python_model=python_model,
        artifacts=artifacts,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        model_config=model_config,
        streamable=streamable,
    )
