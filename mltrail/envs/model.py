"""A saved model's own environment: built from its python_env.yaml / requirements.txt (or
conda.yaml), with this mltrail installed beside the model's requirements so the environment
can run mltrail's scoring server and `models predict`.

Requirements on mltrail itself are replaced by the running installation (a source checkout
editable, else a wheel of its files: see `mltrail.envs.wheel`); everything else is installed
as the model declares it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mltrail.envs import conda, venvs
from mltrail.envs.python_env import PythonEnvSpec, load_python_env, mltrail_source_dir
from mltrail.envs.wheel import mltrail_wheel
from mltrail.errors import InvalidParameter

ENV_MANAGERS = ("local", "virtualenv", "uv", "conda")
REQUIREMENTS_FILE = "requirements.txt"
PYTHON_ENV_FILE = "python_env.yaml"
CONDA_ENV_FILE = "conda.yaml"
SERVING_EXTRA = "server"  # the mltrail extra the scoring server needs
MODEL_NEEDS_CONDA = "--env-manager conda builds the model's conda environment"
_NAME = re.compile(r"[\s<>=!~;\[@(]")


@dataclass(frozen=True)
class ModelEnv:
    """A ready environment for a model: its Python, and what activating it sets."""

    manager: str
    python: str
    variables: Mapping[str, str] = field(default_factory=dict)
    location: Path | None = None  # None for local: this very environment
    created: bool = False

    def mltrail_argv(self, *args: str) -> list[str]:
        """The command running ``mltrail ARGS`` with this environment's mltrail."""
        return [self.python, "-m", "mltrail.cli.main", *args]

    def child_env(self) -> dict[str, str]:
        return {**os.environ, **self.variables}


def check_manager(manager: str) -> None:
    if manager not in ENV_MANAGERS:
        raise InvalidParameter(
            f"Unknown env manager {manager!r}; use one of {', '.join(ENV_MANAGERS)}."
        )
    if manager == "conda":
        conda.conda_executable(MODEL_NEEDS_CONDA)


def prepare(model_dir: Path, manager: str) -> ModelEnv:
    """Build (or reuse from the cache) the environment `manager` makes for the model."""
    check_manager(manager)
    if manager == "local":
        return ModelEnv("local", sys.executable)
    if manager == "conda":
        return _prepare_conda(model_dir)
    env = venvs.get_or_create(model_spec(model_dir), manager, purpose="model")
    python = str(env.bin_dir / "python")
    return ModelEnv(manager, python, env.variables(), env.path, env.created)


def model_spec(model_dir: Path) -> PythonEnvSpec:
    """The python_env spec of the model, its mltrail requirement swapped for this mltrail."""
    python_env = model_dir / PYTHON_ENV_FILE
    declared = load_python_env(python_env) if python_env.is_file() else None
    return PythonEnvSpec(
        python=_usable_python(model_python(model_dir)),
        build_dependencies=declared.build_dependencies if declared else (),
        dependencies=tuple(
            serving_requirements(model_dir, declared.dependencies if declared else None)
        ),
        base_dir=model_dir,
        local_packages=tuple(running_mltrail_install()),
    )


def running_mltrail_install() -> list[str]:
    """Installer arguments that put the running mltrail (with its serving extra) into an
    environment: a source checkout is installed editable, so the environment follows the code
    as it changes (as projects do); any other installation from a wheel of its own files."""
    source = mltrail_source_dir()
    if source is not None:
        return ["-e", f"{source}[{SERVING_EXTRA}]"]
    return [mltrail_requirement(mltrail_wheel())]


def mltrail_requirement(wheel: Path | str) -> str:
    """A PEP 508 requirement installing mltrail with its serving extra from `wheel` (a path
    or an URL as the installer will see it)."""
    location = wheel.as_uri() if isinstance(wheel, Path) else wheel
    return f"mltrail[{SERVING_EXTRA}] @ {location}"


def serving_requirements(model_dir: Path, declared: tuple[str, ...] | None = None) -> list[str]:
    """The model's pip requirements (``-r`` files read), without any requirement on mltrail."""
    if declared is None:
        declared = (f"-r {REQUIREMENTS_FILE}",) if (model_dir / REQUIREMENTS_FILE).is_file() else ()
    lines: list[str] = []
    for requirement in declared:
        option, _, rest = requirement.strip().partition(" ")
        if option in ("-r", "--requirement"):
            file = model_dir / rest.strip()
            text = file.read_text(encoding="utf-8") if file.is_file() else ""
            lines += serving_requirements(file.parent, tuple(text.splitlines()))
        elif requirement.strip() and not requirement.lstrip().startswith("#"):
            lines.append(requirement.strip())
    return [line for line in lines if requirement_name(line) != "mltrail"]


def requirement_name(requirement: str) -> str:
    """The normalised project name of a requirement line (``Foo_Bar>=1`` -> ``foo-bar``)."""
    name = _NAME.split(requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def model_python(model_dir: Path) -> str:
    """The Python version the model was saved with (python_env.yaml, MLmodel, else ours)."""
    python_env = model_dir / PYTHON_ENV_FILE
    if python_env.is_file():
        return load_python_env(python_env).python
    return _model_python(model_dir)


def _model_python(model_dir: Path) -> str:
    mlmodel = _read_yaml(model_dir / "MLmodel")
    flavors = mlmodel.get("flavors") if isinstance(mlmodel, dict) else None
    pyfunc = flavors.get("python_function") if isinstance(flavors, dict) else None
    version = pyfunc.get("python_version") if isinstance(pyfunc, dict) else None
    return str(version) if version else ".".join(map(str, sys.version_info[:3]))


def _usable_python(wanted: str) -> str:
    """The same minor version as this interpreter is served by this interpreter: a patch
    release apart never changes what a model needs, and it avoids fetching a Python."""
    if wanted.split(".")[:2] == [str(sys.version_info[0]), str(sys.version_info[1])]:
        return ".".join(map(str, sys.version_info[:3]))
    return wanted


def _prepare_conda(model_dir: Path) -> ModelEnv:
    conda_file = model_dir / CONDA_ENV_FILE
    if not conda_file.is_file():
        raise InvalidParameter(f"--env-manager conda needs the model's {CONDA_ENV_FILE}.")
    prefix = conda.get_or_create(conda_file)
    python = str(prefix / "bin" / "python")
    # The conda file pins the model's packages; mltrail is added from this installation.
    _install_into(python, model_dir)
    path = os.pathsep.join([str(prefix / "bin"), os.environ.get("PATH", "")])
    return ModelEnv("conda", python, {"CONDA_PREFIX": str(prefix), "PATH": path}, prefix)


def _install_into(python: str, model_dir: Path) -> None:
    import subprocess

    from mltrail.errors import MltrailError

    argv = [python, "-m", "pip", "install", "--quiet", *running_mltrail_install()]
    result = subprocess.run(argv, cwd=model_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise MltrailError(
            f"Installing mltrail into the conda environment failed:\n{result.stderr[-3000:]}"
        )


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))
