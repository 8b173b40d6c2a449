"""python_env.yaml: a Python version and pip requirements, installed into a virtual environment.

Environments are built with uv when it is available (fast) or virtualenv + pip, and kept under
the environment root keyed by a hash of everything that decides their content, so a second run
of the same spec reuses the first one's environment.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mltrail.errors import InvalidParameter

_NAME = re.compile(r"[\s<>=!~;\[@]")


@dataclass(frozen=True)
class PythonEnvSpec:
    python: str
    build_dependencies: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    base_dir: Path = Path(".")  # where relative requirement paths (-r file, ./pkg) live
    # Installed last and as given (never rewritten), e.g. this mltrail's wheel for a model.
    local_packages: tuple[str, ...] = ()

    @classmethod
    def current_python(cls, base_dir: Path) -> PythonEnvSpec:
        """A bare environment on this interpreter's Python version (no python_env.yaml)."""
        return cls(python=_running_python(), base_dir=base_dir)

    def fingerprint(self, manager: str) -> str:
        """Hash of what the environment's content depends on (requirement files included)."""
        content = {
            "manager": manager,
            "python": self.python,
            "build": list(self.build_dependencies),
            "deps": [_expanded(r, self.base_dir) for r in self.dependencies],
        }
        if self.local_packages:  # absent for projects, so their existing hashes still hold
            content["local"] = list(self.local_packages)
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:20]

    def install_args(self, requirements: tuple[str, ...]) -> list[str]:
        """Installer arguments: ``-r file`` and ``-e path`` split, mltrail from this install."""
        args: list[str] = []
        for requirement in requirements:
            option, _, rest = requirement.partition(" ")
            if option in ("-r", "--requirement", "-e", "--editable", "-c", "--constraint"):
                args += [option, rest.strip()]
            else:
                args += running_mltrail(requirement)
        return args


def load_python_env(path: Path) -> PythonEnvSpec:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise InvalidParameter(f"{path} is not valid YAML: {error}") from None
    if not isinstance(content, Mapping):
        raise InvalidParameter(f"{path} must be a mapping with python and dependencies.")
    python = content.get("python")
    if python is None:
        python = _running_python()
    return PythonEnvSpec(
        python=str(python),
        build_dependencies=_requirements(content, "build_dependencies", path),
        dependencies=_requirements(content, "dependencies", path),
        base_dir=path.parent,
    )


def running_mltrail(requirement: str) -> list[str]:
    """A requirement on mltrail becomes this installation of it, so a project's environment
    runs the same mltrail as the launcher (a source checkout is installed from its folder)."""
    if _NAME.split(requirement.strip(), maxsplit=1)[0].lower() != "mltrail":
        return [requirement]
    extras = re.search(r"\[[^\]]*\]", requirement)
    source = mltrail_source_dir()
    if source is not None:
        return ["-e", f"{source}{extras.group(0) if extras else ''}"]
    from importlib.metadata import version

    return [f"mltrail{extras.group(0) if extras else ''}=={version('mltrail')}"]


def mltrail_source_dir() -> Path | None:
    """The checkout mltrail runs from (a folder with its pyproject.toml), if any."""
    import mltrail

    root = Path(mltrail.__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "mltrail"' in pyproject.read_text(encoding="utf-8"):
        return root
    return None


def python_matches_running(python: str) -> bool:
    """True when the spec's version ("3.11" or "3.11.4") is this interpreter's."""
    running = [str(part) for part in sys.version_info[:3]]
    wanted = python.strip().split(".")
    return wanted == running[: len(wanted)]


def _running_python() -> str:
    return ".".join(str(part) for part in sys.version_info[:3])


def _requirements(content: Mapping[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = content.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidParameter(f"{path}: {key} must be a list of requirement strings.")
    return tuple(value)


def _expanded(requirement: str, base_dir: Path) -> str:
    option, _, rest = requirement.partition(" ")
    if option in ("-r", "--requirement", "-c", "--constraint"):
        file = base_dir / rest.strip()
        if file.is_file():
            lines = file.read_text(encoding="utf-8").splitlines()
            return f"{option} " + "\n".join(_expanded(line, file.parent) for line in lines)
    return " ".join(running_mltrail(requirement))
