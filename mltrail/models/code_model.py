"""Models from code: a Python file builds the model and hands it over with `set_model`.

Saving copies the file into the model directory and loading runs it again, so nothing is
unpickled. While the file runs, `ModelConfig` reads the configuration the model was saved
(or loaded) with; outside a run it reads its `development_config`.

Files written for MLflow import ``mlflow``. While mltrail runs a model file, that file's own
``import mlflow`` / ``from mlflow.<sub> import ...`` statements are served by ``mltrail`` and
``mltrail.<sub>``: the file gets a copy of the builtins whose ``__import__`` renames them, so
its `set_model` and `ModelConfig` are the loader's whether or not MLflow is installed, and
nothing else in the process (MLflow included, when it is imported) sees any change.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import sys
import types
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mltrail.errors import ErrorCode, InvalidParameter, MltrailError
from mltrail.models.code_model_mlflow import hand_to_mlflow, mlflow_model_config

ModelConfigSource = str | os.PathLike[str] | Mapping[str, Any]
_UNSET: Any = object()


@dataclass
class _CodeRun:
    """One execution of a model file: the config it may read and the model it sets."""

    config: dict[str, Any] | None
    model: Any = field(default=_UNSET)


_current: ContextVar[_CodeRun | None] = ContextVar("mltrail_model_code_run", default=None)


def set_model(model: Any) -> None:
    """Hand the model defined in a model-code file to whoever runs the file.

    `model` is a `PythonModel` (any object with a ``predict`` method) or a function taking
    the model input. Outside an mltrail save or load it goes to MLflow's `set_model` when
    MLflow is imported (MLflow may be the one running the file); otherwise it is only checked.
    """
    if isinstance(model, str | os.PathLike) or not (
        callable(getattr(model, "predict", None)) or callable(model)
    ):
        raise InvalidParameter(
            "set_model() takes a PythonModel instance or a function of the model input; "
            f"got {type(model).__name__}"
        )
    run = _current.get()
    if run is not None:
        run.model = model
    else:  # MLflow may be running this file (see code_model_mlflow)
        hand_to_mlflow(model)


class ModelConfig:
    """The model's configuration, read from the file that defines the model.

    While mltrail saves or loads the model, this is the `model_config` it was saved with
    (an error if it had none); when MLflow is imported, what MLflow's `ModelConfig` reads
    (MLflow may be the one running the file); otherwise `development_config` (a dict or a
    YAML file).
    """

    def __init__(self, *, development_config: ModelConfigSource | None = None) -> None:
        run = _current.get()
        if run is not None:
            if run.config is None:
                raise FileNotFoundError(
                    "ModelConfig is used by the model code, but the model was saved without "
                    "a `model_config`: pass model_config= to save_model/log_model"
                )
            self.config: ModelConfigSource = run.config
            return
        from_mlflow = mlflow_model_config(development_config)
        if from_mlflow is not None:  # MLflow may be running this file (see code_model_mlflow)
            self.config = from_mlflow
            return
        if not development_config:
            raise FileNotFoundError(
                "ModelConfig needs a `development_config` (a dict or a YAML file path) "
                "when the model code runs outside save_model/load_model"
            )
        if not isinstance(development_config, Mapping) and not os.path.isfile(development_config):
            raise FileNotFoundError(f"Config file '{os.fspath(development_config)}' not found")
        self.config = development_config

    def to_dict(self) -> dict[str, Any]:
        """The whole configuration."""
        if isinstance(self.config, Mapping):
            return dict(self.config)
        return read_model_config(self.config) or {}

    def get(self, key: str) -> Any:
        """One top-level value; KeyError if the configuration lacks it."""
        values = self.to_dict()
        if key not in values:
            raise KeyError(f"Key '{key}' not found in configuration: {values}")
        return values[key]


def read_model_config(source: ModelConfigSource | None) -> dict[str, Any] | None:
    """A `model_config` as a dict: a mapping with string keys and JSON values, or a YAML file."""
    if source is None:
        return None
    if isinstance(source, Mapping):
        if not all(isinstance(key, str) for key in source):
            raise InvalidParameter("`model_config` keys must be strings")
        try:
            json.dumps(dict(source))
        except (TypeError, ValueError) as reason:
            raise InvalidParameter(
                f"`model_config` values must be JSON-serializable: {reason}"
            ) from None
        return dict(source)
    import yaml

    path = Path(source)
    if not path.is_file():
        raise InvalidParameter(f"The model_config file '{path}' does not exist")
    try:
        loaded = yaml.safe_load(path.read_text())
    except yaml.YAMLError as reason:
        raise InvalidParameter(
            f"The model_config file '{path}' is not valid YAML: {reason}"
        ) from None
    if loaded is not None and not isinstance(loaded, dict):
        raise InvalidParameter(f"The model_config file '{path}' must hold a YAML mapping")
    return dict(loaded or {})


def model_code_file(python_model: str | os.PathLike[str]) -> Path:
    """The absolute path of a model-code file given to save_model (a clear error if absent)."""
    path = Path(python_model).resolve()
    if not path.is_file():
        hint = f" Perhaps you meant '{path}.py'?" if not path.suffix else ""
        raise InvalidParameter(
            f"The model code file '{path}' does not exist or is not a file.{hint}"
        )
    return path


def load_model_code(path: str | os.PathLike[str], config: Mapping[str, Any] | None) -> Any:
    """Run the model file at `path` as a fresh module; return what it passed to `set_model`."""
    run = _CodeRun(dict(config) if config else None)
    with _running(run):
        _run_module(Path(path))
    if run.model is _UNSET:
        raise InvalidParameter(
            f"The model code file '{path}' never called set_model(model): end it with "
            "`mltrail.models.set_model(...)` (or `mlflow.models.set_model(...)`)"
        )
    return run.model


@contextmanager
def _running(run: _CodeRun) -> Iterator[None]:
    token = _current.set(run)
    try:
        yield
    finally:
        _current.reset(token)


def _execute(path: Path) -> None:
    # A unique module name: the same file may be loaded many times in one process, and
    # classes defined in it (dataclasses, type hints) look their module up in sys.modules.
    name = f"mltrail_code_model_{uuid.uuid4().hex}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    module.__dict__["__builtins__"] = {**vars(builtins), "__import__": _import_mlflow_as_mltrail}
    sys.modules[name] = module
    try:
        # Compiled here rather than imported: no __pycache__ is written into the model dir.
        code = compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise


def _run_module(path: Path) -> None:
    """Run the model file; errors in it become MlflowExceptions naming the file."""
    try:
        _execute(path)
    except MltrailError:
        raise
    except ImportError as reason:
        raise MltrailError(
            f"Failed to import the modules the model code file '{path}' needs: {reason}",
            ErrorCode.INVALID_PARAMETER_VALUE,
        ) from reason
    except Exception as reason:
        raise MltrailError(
            f"Failed to run the model code file '{path}': {type(reason).__name__}: {reason}",
            ErrorCode.INVALID_PARAMETER_VALUE,
        ) from reason


def _import_mlflow_as_mltrail(
    name: str,
    globals: Mapping[str, Any] | None = None,
    locals: Mapping[str, Any] | None = None,
    fromlist: tuple[str, ...] | list[str] | None = (),
    level: int = 0,
) -> types.ModuleType:
    """The model file's `__import__`: absolute ``mlflow[.sub]`` names become ``mltrail[.sub]``."""
    if level != 0 or not (name == "mlflow" or name.startswith("mlflow.")):
        return builtins.__import__(name, globals, locals, fromlist or (), level)
    target = "mltrail" + name.removeprefix("mlflow")
    try:
        return builtins.__import__(target, globals, locals, fromlist or (), level)
    except ModuleNotFoundError as missing:
        if missing.name is None or not target.startswith(missing.name):
            raise
        raise ModuleNotFoundError(
            f"No module named {name!r}: mltrail runs `mlflow` imports in model code with its "
            f"own modules and has no {target!r}",
            name=name,
        ) from None


def imported_modules(path: str | os.PathLike[str]) -> set[str]:
    """Top-level names of the modules a Python file imports (absolute imports only)."""
    try:
        tree = ast.parse(Path(path).read_bytes(), filename=str(path))
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".", 1)[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".", 1)[0])
    return names
