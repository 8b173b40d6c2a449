"""Building and caching virtual environments from python_env specs (uv or virtualenv + pip)."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mltrail.envs.python_env import PythonEnvSpec, python_matches_running
from mltrail.errors import MltrailError

COMPLETE_MARKER = ".mltrail-env-complete"
_log = logging.getLogger("mltrail.envs")


@dataclass(frozen=True)
class VirtualEnv:
    path: Path
    created: bool  # False when an environment built earlier was reused

    @property
    def bin_dir(self) -> Path:
        return self.path / "bin"

    def variables(self) -> dict[str, str]:
        """What activating the environment changes for a child process."""
        path = os.pathsep.join([str(self.bin_dir), os.environ.get("PATH", "")])
        return {"VIRTUAL_ENV": str(self.path), "PATH": path}


def env_root() -> Path:
    """Where environments are kept: MLTRAIL_ENV_ROOT / MLFLOW_ENV_ROOT, else ~/.mltrail/envs."""
    for name in ("MLTRAIL_ENV_ROOT", "MLFLOW_ENV_ROOT"):
        if os.environ.get(name):
            return Path(os.environ[name]).expanduser()
    return Path.home() / ".mltrail" / "envs"


def uv_executable() -> str | None:
    """uv beside this interpreter (a venv that has it installed), else on PATH."""
    sibling = Path(sys.executable).parent / "uv"
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling)
    return shutil.which("uv")


def env_path(spec: PythonEnvSpec, manager: str) -> Path:
    """Where the environment for `spec` is (or will be) kept."""
    return env_root() / f"{manager}-{spec.fingerprint(manager)}"


def get_or_create(spec: PythonEnvSpec, manager: str, purpose: str = "project") -> VirtualEnv:
    """The environment for `spec`, built with `manager` ("uv" or "virtualenv") at most once.
    `purpose` ("project", "model") names what it is for in error messages."""
    path = env_path(spec, manager)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.with_name(path.name + ".lock")):
        if (path / COMPLETE_MARKER).is_file():
            _log.info("=== Reusing the %s environment %s ===", manager, path)
            return VirtualEnv(path, created=False)
        shutil.rmtree(path, ignore_errors=True)  # a half-built one from an interrupted run
        _log.info("=== Creating the %s environment %s ===", manager, path)
        try:
            _build(spec, manager, path, purpose)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        (path / COMPLETE_MARKER).write_text(spec.fingerprint(manager) + "\n")
    return VirtualEnv(path, created=True)


def _build(spec: PythonEnvSpec, manager: str, path: Path, purpose: str) -> None:
    python = sys.executable if python_matches_running(spec.python) else spec.python
    if manager == "uv":
        uv = uv_executable()
        if uv is None:
            raise MltrailError("--env-manager uv needs the `uv` executable (pip install uv).")
        _run([uv, "venv", "--quiet", "--python", python, str(path)], spec.base_dir, purpose)
        install = [uv, "pip", "install", "--quiet", "--python", str(path / "bin" / "python")]
    else:
        _run([*_virtualenv_command(python, spec.python), str(path)], spec.base_dir, purpose)
        install = [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    if spec.build_dependencies:
        _run([*install, *spec.install_args(spec.build_dependencies)], spec.base_dir, purpose)
    # One resolver call, so local packages never move the versions the dependencies pin.
    packages = [*spec.install_args(spec.dependencies), *spec.local_packages]
    if packages:
        _run([*install, *packages], spec.base_dir, purpose)


def _virtualenv_command(python: str, wanted: str) -> list[str]:
    if python != sys.executable:
        found = shutil.which(f"python{wanted}") or shutil.which(
            "python" + ".".join(wanted.split(".")[:2])
        )
        if found is None:
            raise MltrailError(
                f"The environment wants Python {wanted}, which is not installed here; install it "
                "or use --env-manager uv, which can fetch it."
            )
        python = found
    try:
        import virtualenv  # noqa: F401  (only checking that it is installed)
    except ImportError:
        return [python, "-m", "venv"]
    return [sys.executable, "-m", "virtualenv", "--quiet", "--python", python]


def _run(argv: list[str], cwd: Path, purpose: str) -> None:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()[-3000:]
        raise MltrailError(
            f"Building the {purpose} environment failed: {' '.join(argv)}\n{output}",
        )


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    # Two runs building the same environment at once: the second waits and then reuses it.
    with open(lock_file, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
