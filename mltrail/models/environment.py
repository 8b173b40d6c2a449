"""A model's environment files: requirements.txt, python_env.yaml and conda.yaml.

Requirements are inferred from the modules the model needs (each flavor names its framework;
pickled objects are scanned for the modules they reference), pinned to the installed versions.
`pip_requirements` replaces the inferred list, `extra_pip_requirements` adds to it, and
`conda_env` supplies a whole conda environment.
"""

from __future__ import annotations

import os
import pickletools
import platform
import re
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from typing import Any

import yaml

from mltrail.errors import InvalidParameter

REQUIREMENTS_FILE = "requirements.txt"
PYTHON_ENV_FILE = "python_env.yaml"
CONDA_ENV_FILE = "conda.yaml"
ENV_FILES = {"conda": CONDA_ENV_FILE, "virtualenv": PYTHON_ENV_FILE}
_MODULE_NAME = re.compile(r"^[A-Za-z_][\w.]*$")

Requirements = str | os.PathLike[str] | Iterable[str] | None


@lru_cache(maxsize=1)
def _distributions_by_module() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def pinned(distribution: str) -> str:
    """``name==version`` for an installed distribution, the bare name otherwise."""
    try:
        return f"{distribution}=={metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return distribution


def requirements_for_modules(modules: Iterable[str]) -> list[str]:
    """Pinned distributions providing the given (top-level or dotted) imported modules."""
    by_module = _distributions_by_module()
    found: dict[str, None] = {}
    for module in modules:
        top = module.split(".", 1)[0]
        if top in sys.stdlib_module_names or top == "__main__":
            continue
        for dist in by_module.get(top, ()):
            found[pinned(dist)] = None
    return sorted(found, key=str.lower)


def modules_in_pickle(path: str) -> set[str]:
    """Top-level modules a pickle file refers to (and that this process has imported)."""
    names: set[str] = set()
    with open(path, "rb") as source:
        try:
            for opcode, arg, _pos in pickletools.genops(source):
                if opcode.name == "GLOBAL" and isinstance(arg, str):
                    names.add(arg.split(" ", 1)[0])
                elif isinstance(arg, str) and _MODULE_NAME.match(arg):
                    names.add(arg)
        except Exception:  # a truncated or exotic pickle: keep what was read
            pass
    tops = {n.split(".", 1)[0] for n in names}
    return {t for t in tops if t in sys.modules and t in _distributions_by_module()}


def resolve_requirements(
    default: Iterable[str],
    pip_requirements: Requirements = None,
    extra_pip_requirements: Requirements = None,
) -> list[str]:
    if pip_requirements is not None and extra_pip_requirements is not None:
        raise InvalidParameter(
            "Only one of `pip_requirements` and `extra_pip_requirements` can be specified"
        )
    if pip_requirements is not None:
        return _requirement_list(pip_requirements)
    extra = _requirement_list(extra_pip_requirements)
    base = list(dict.fromkeys(default))
    extra_names = {_requirement_name(r) for r in extra}
    return [r for r in base if _requirement_name(r) not in extra_names] + extra


def _requirement_list(value: Requirements) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | os.PathLike):
        with open(value) as source:
            lines = [line.strip() for line in source]
        return [line for line in lines if line and not line.startswith("#")]
    return [str(item) for item in value]


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[@]", requirement.strip(), maxsplit=1)[0].lower()


def write_environment(
    path: str,
    default_requirements: Iterable[str],
    pip_requirements: Requirements = None,
    extra_pip_requirements: Requirements = None,
    conda_env: str | os.PathLike[str] | Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Write the three environment files; return the MLmodel `env` entry."""
    python = platform.python_version()
    if conda_env is not None:
        conda = _conda_dict(conda_env)
        requirements = _pip_section(conda)
    else:
        requirements = resolve_requirements(
            default_requirements, pip_requirements, extra_pip_requirements
        )
        conda = {
            "channels": ["conda-forge"],
            "dependencies": [f"python={python}", _build_tool("pip"), {"pip": requirements}],
            "name": "mlflow-env",
        }
    with open(os.path.join(path, REQUIREMENTS_FILE), "w") as out:
        out.write("\n".join(requirements))
    python_env = {
        "python": python,
        "build_dependencies": [_build_tool("pip"), _build_tool("setuptools"), "wheel"],
        "dependencies": [f"-r {REQUIREMENTS_FILE}"],
    }
    for name, content in ((PYTHON_ENV_FILE, python_env), (CONDA_ENV_FILE, conda)):
        with open(os.path.join(path, name), "w") as out:
            yaml.safe_dump(content, out, default_flow_style=False, sort_keys=False)
    return dict(ENV_FILES)


def _build_tool(name: str) -> str:
    return pinned(name)


def _conda_dict(conda_env: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(conda_env, Mapping):
        return dict(conda_env)
    with open(conda_env) as source:
        loaded = yaml.safe_load(source)
    if not isinstance(loaded, dict):
        raise InvalidParameter(f"{conda_env} is not a conda environment file")
    return loaded


def _pip_section(conda: Mapping[str, Any]) -> list[str]:
    for dependency in conda.get("dependencies") or ():
        if isinstance(dependency, Mapping) and "pip" in dependency:
            return [str(r) for r in dependency["pip"]]
    return []
