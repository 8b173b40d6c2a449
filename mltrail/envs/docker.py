"""Whether a Docker engine answers: asked before anything is built for it."""

from __future__ import annotations

import shutil
import subprocess


def engine_problem() -> str | None:
    """Why no Docker engine can be used (no `docker` CLI, no daemon), or None when one answers."""
    docker = shutil.which("docker")
    if docker is None:
        return "`docker` is not on PATH"
    try:
        result = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "`docker info` timed out"
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["no answer"])[-1]
    return None
