"""The two libraries compared: mltrail from the project's venv, MLflow from its own venv.

MLflow is never a dependency of mltrail: `ensure_mlflow_venv` installs the pinned release into
`benchmarks/.venv-mlflow` (gitignored) on first use, with uv when the project venv has it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_VENV = ROOT / ".venv"
MLFLOW_VENV = ROOT / "benchmarks" / ".venv-mlflow"
MLFLOW_VERSION = "3.17.2"
# The workload scripts need these beside MLflow (raw HTTP load, nothing else).
MLFLOW_VENV_EXTRAS = ("httpx", "psutil")


@dataclass(frozen=True)
class Library:
    """One side of the comparison: its import name, interpreter and command-line tool."""

    name: str
    python: Path
    cli: Path
    version: str
    # Setup databases of a pinned release can be reused between runs; mltrail's schema is
    # still moving, so its databases are always built afresh.
    cache_setups: bool
    # Extra environment for every process of this library, and for its server only.
    env: tuple[tuple[str, str], ...] = ()
    server_env: tuple[tuple[str, str], ...] = ()


def installed_version(python: Path, distribution: str) -> str | None:
    """The version of `distribution` installed for `python`, or None."""
    if not python.exists():
        return None
    code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def _install_commands(venv: Path) -> list[list[str]]:
    python = str(venv / "bin" / "python")
    packages = [f"mlflow=={MLFLOW_VERSION}", *MLFLOW_VENV_EXTRAS]
    uv = PROJECT_VENV / "bin" / "uv"
    if uv.exists():
        # Bytecode is compiled at install time so MLflow's first import is not penalised.
        base = str(Path(sys.executable).resolve())
        return [
            [str(uv), "venv", "--quiet", "--allow-existing", "-p", base, str(venv)],
            [
                str(uv),
                "pip",
                "install",
                "--quiet",
                "--compile-bytecode",
                "--python",
                python,
                *packages,
            ],
        ]
    return [
        [sys.executable, "-m", "venv", str(venv)],
        [python, "-m", "pip", "install", "--quiet", *packages],
    ]


def ensure_mlflow_venv(venv: Path = MLFLOW_VENV) -> Path:
    """Create the MLflow venv unless it already holds the pinned release; return its python."""
    python = venv / "bin" / "python"
    if installed_version(python, "mlflow") == MLFLOW_VERSION:
        return python
    print(f"installing mlflow=={MLFLOW_VERSION} into {venv} ...", file=sys.stderr, flush=True)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    for command in _install_commands(venv):
        subprocess.run(command, check=True, env=env)
    return python


def mltrail_library() -> Library:
    """mltrail from the project venv, importing the working tree (whatever the state of the
    editable install's import hooks), since the working tree is what is being measured."""
    python = PROJECT_VENV / "bin" / "python"
    version = installed_version(python, "mltrail") or "unknown"
    cli = PROJECT_VENV / "bin" / "mltrail"
    return Library("mltrail", python, cli, version, False, env=(("PYTHONPATH", str(ROOT)),))


def mlflow_library(job_runner: bool = False) -> Library:
    """MLflow from its venv. Its server's background job runner (GenAI jobs: a runner and seven
    polling huey consumers) is off unless asked for: mltrail has no such feature, and with it
    MLflow would be measured slower and heavier than the like-for-like comparison."""
    python = ensure_mlflow_venv()
    server_env = () if job_runner else (("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false"),)
    cli = MLFLOW_VENV / "bin" / "mlflow"
    return Library("mlflow", python, cli, MLFLOW_VERSION, True, server_env=server_env)


def libraries(names: list[str], mlflow_job_runner: bool = False) -> list[Library]:
    """The libraries to compare, in the order given (mltrail first by default)."""
    known = {"mltrail", "mlflow"}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"unknown library {unknown[0]!r}: choose from {sorted(known)}")
    return [
        mltrail_library() if name == "mltrail" else mlflow_library(mlflow_job_runner)
        for name in names
    ]
