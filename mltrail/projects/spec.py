"""The MLproject file: its name, one environment, and entry points with typed parameters.

A folder without an MLproject file is still a project: its environment comes from
`python_env.yaml`, else `conda.yaml`, and any `.py` or `.sh` file in it is an entry point.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mltrail.errors import InvalidParameter, NotFound

PARAMETER_TYPES = ("float", "int", "string", "path", "uri")
SCRIPT_SUFFIXES = (".py", ".sh")
PYTHON_ENV_FILE = "python_env.yaml"
CONDA_ENV_FILE = "conda.yaml"
_ENV_KEYS = ("python_env", "conda_env", "docker_env")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str = "string"
    default: str | None = None  # None: the caller must give a value

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class EntryPoint:
    name: str
    command: str
    parameters: Mapping[str, Parameter] = field(default_factory=dict)


@dataclass(frozen=True)
class DockerEnv:
    image: str
    volumes: tuple[str, ...] = ()
    # ("NAME", "value") sets a variable; ("NAME", None) copies it from the host.
    environment: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Project:
    directory: Path
    name: str | None = None
    entry_points: Mapping[str, EntryPoint] = field(default_factory=dict)
    python_env: Path | None = None
    conda_env: Path | None = None
    docker_env: DockerEnv | None = None

    @property
    def env_kind(self) -> str:
        """ "python", "conda", "docker" or "none" (the project declares no environment)."""
        if self.docker_env is not None:
            return "docker"
        if self.conda_env is not None:
            return "conda"
        return "python" if self.python_env is not None else "none"

    def entry_point(self, name: str) -> EntryPoint:
        """A declared entry point, else a `.py`/`.sh` file of the project run by its name."""
        if name in self.entry_points:
            return self.entry_points[name]
        script = self.directory / name
        suffix = os.path.splitext(name)[1]
        if suffix in SCRIPT_SUFFIXES and script.is_file() and _inside(script, self.directory):
            runner = "python" if suffix == ".py" else os.environ.get("SHELL") or "bash"
            return EntryPoint(name=name, command=f"{runner} {_quote(name)}")
        raise NotFound(
            f"Could not find entry point {name!r} among the project's entry points "
            f"{sorted(self.entry_points)} or as a script file in {self.directory} "
            f"(script files end with {' or '.join(SCRIPT_SUFFIXES)})."
        )


def load_project(directory: str | os.PathLike[str]) -> Project:
    """Read and validate the project in `directory` (an MLproject file is optional)."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise NotFound(f"Project directory {root} does not exist.")
    spec_file = _find_spec_file(root)
    if spec_file is None:
        return Project(
            directory=root,
            python_env=_existing(root / PYTHON_ENV_FILE),
            conda_env=None
            if (root / PYTHON_ENV_FILE).is_file()
            else _existing(root / CONDA_ENV_FILE),
        )
    try:
        content = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InvalidParameter(f"{spec_file} is not valid YAML: {error}") from None
    return parse_project(root, content if content is not None else {}, str(spec_file))


def parse_project(root: Path, content: Any, where: str = "MLproject") -> Project:
    """Validate the parsed YAML of an MLproject file."""
    if not isinstance(content, Mapping):
        raise InvalidParameter(f"{where} must be a YAML mapping, got {type(content).__name__}.")
    declared = [key for key in _ENV_KEYS if content.get(key) is not None]
    if len(declared) > 1:
        raise InvalidParameter(
            f"{where} declares {' and '.join(declared)}; a project may use at most one of "
            f"{', '.join(_ENV_KEYS)}."
        )
    name = content.get("name")
    return Project(
        directory=root,
        name=None if name is None else str(name),
        entry_points=_entry_points(content.get("entry_points"), where),
        python_env=_env_file(root, content.get("python_env"), "python_env", where),
        conda_env=_env_file(root, content.get("conda_env"), "conda_env", where),
        docker_env=_docker_env(content.get("docker_env"), where),
    )


def _find_spec_file(root: Path) -> Path | None:
    # MLflow matches the file name case-insensitively ("MLproject", "mlproject", ...).
    for child in sorted(root.iterdir()):
        if child.name.lower() == "mlproject" and child.is_file():
            return child
    return None


def _existing(path: Path) -> Path | None:
    return path if path.is_file() else None


def _env_file(root: Path, value: Any, key: str, where: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidParameter(f"{where}: {key} must be the path of a file in the project.")
    path = (root / value).resolve()
    if not _inside(path, root):
        raise InvalidParameter(f"{where}: {key} {value!r} points outside the project directory.")
    if not path.is_file():
        raise NotFound(f"{where}: {key} file {value!r} does not exist in {root}.")
    return path


def _docker_env(value: Any, where: str) -> DockerEnv | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("image"), str):
        raise InvalidParameter(f"{where}: docker_env needs an `image` (e.g. image: python:3.11).")
    volumes = value.get("volumes") or []
    if not isinstance(volumes, list) or not all(isinstance(v, str) for v in volumes):
        raise InvalidParameter(f"{where}: docker_env.volumes must be a list of 'host:container'.")
    environment: list[tuple[str, str | None]] = []
    for item in value.get("environment") or []:
        if isinstance(item, str):
            environment.append((item, None))
        elif isinstance(item, list) and len(item) == 2:
            environment.append((str(item[0]), str(item[1])))
        else:
            raise InvalidParameter(
                f"{where}: each docker_env.environment entry is a NAME to copy from the host "
                f"or a [NAME, value] pair, got {item!r}."
            )
    return DockerEnv(str(value["image"]), tuple(volumes), tuple(environment))


def _entry_points(value: Any, where: str) -> dict[str, EntryPoint]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidParameter(f"{where}: entry_points must map names to entry points.")
    entry_points: dict[str, EntryPoint] = {}
    for name, body in value.items():
        if not isinstance(body, Mapping) or not isinstance(body.get("command"), str):
            raise InvalidParameter(f"{where}: entry point {name!r} needs a `command` string.")
        parameters = body.get("parameters") or {}
        if not isinstance(parameters, Mapping):
            raise InvalidParameter(
                f"{where}: parameters of entry point {name!r} must be a mapping."
            )
        entry_points[str(name)] = EntryPoint(
            name=str(name),
            command=body["command"],
            parameters={str(k): _parameter(str(k), v, where) for k, v in parameters.items()},
        )
    return entry_points


def _parameter(name: str, value: Any, where: str) -> Parameter:
    if isinstance(value, str):  # shorthand: `data: path`
        spec: Mapping[str, Any] = {"type": value}
    elif value is None:
        spec = {}
    elif isinstance(value, Mapping):
        spec = value
    else:
        raise InvalidParameter(f"{where}: parameter {name!r} must be a type name or a mapping.")
    kind = str(spec.get("type", "string"))
    if kind not in PARAMETER_TYPES:
        raise InvalidParameter(
            f"{where}: parameter {name!r} has unknown type {kind!r}; "
            f"use one of {', '.join(PARAMETER_TYPES)}."
        )
    default = spec.get("default")
    return Parameter(name, kind, None if default is None else _yaml_text(default))


def _yaml_text(value: Any) -> str:
    if isinstance(value, bool):  # YAML `true` reads as a Python bool; keep YAML's spelling
        return "true" if value else "false"
    return str(value)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
