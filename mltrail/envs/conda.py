"""conda environments made by `conda env create` from a conda.yaml, cached by the file's hash."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

from mltrail.envs.venvs import COMPLETE_MARKER, env_root
from mltrail.errors import MltrailError

_log = logging.getLogger("mltrail.envs")


PROJECT_NEEDS_CONDA = "This project declares a conda environment"


def conda_executable(needs: str = PROJECT_NEEDS_CONDA) -> str:
    """`conda` from MLFLOW_CONDA_HOME, else PATH; a clear error (starting with `needs`) when
    there is none."""
    home = os.environ.get("MLTRAIL_CONDA_HOME") or os.environ.get("MLFLOW_CONDA_HOME")
    if home and (Path(home) / "bin" / "conda").is_file():
        return str(Path(home) / "bin" / "conda")
    found = shutil.which("conda")
    if found is None:
        raise MltrailError(
            f"{needs}, but `conda` is not on PATH (nor in MLFLOW_CONDA_HOME). Install "
            "conda, or run in the current environment with --env-manager local."
        )
    return found


def conda_prefix(conda_file: Path) -> Path:
    digest = hashlib.sha256(conda_file.read_bytes()).hexdigest()[:20]
    return env_root() / f"conda-{digest}"


def get_or_create(conda_file: Path) -> Path:
    """The prefix of the conda environment described by `conda_file`, created once."""
    conda = conda_executable()
    prefix = conda_prefix(conda_file)
    if (prefix / COMPLETE_MARKER).is_file():
        _log.info("=== Reusing the conda environment %s ===", prefix)
        return prefix
    shutil.rmtree(prefix, ignore_errors=True)
    _log.info("=== Creating the conda environment %s ===", prefix)
    argv = [conda, "env", "create", "--quiet", "--prefix", str(prefix), "--file", str(conda_file)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(prefix, ignore_errors=True)
        raise MltrailError(f"conda could not create the environment:\n{result.stderr[-3000:]}")
    (prefix / COMPLETE_MARKER).write_text(str(conda_file) + "\n")
    return prefix


def run_in(prefix: Path, argv: list[str]) -> list[str]:
    """`argv` run inside the environment at `prefix`."""
    return [conda_executable(), "run", "--no-capture-output", "--prefix", str(prefix), *argv]
