"""`models serve|predict --env-manager virtualenv|uv|conda`: the model's own environment is
built (or reused), then mltrail's scoring server or predictor runs inside it as a child.

The model is resolved here, once (a remote model is downloaded to a temporary folder, removed
when the child ends); the child gets a local path and ``--env-manager local``.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from mltrail.envs import model as model_env
from mltrail.envs.process import run_foreground

_log = logging.getLogger("mltrail.serving")


@contextmanager
def local_model(model_uri: str) -> Iterator[Path]:
    """The model as a local folder: in place when it is local, else a temporary download."""
    from mltrail.models.uris import download_model, local_path

    local = local_path(model_uri)
    if local is not None:
        yield Path(download_model(model_uri)).resolve()
        return
    folder = tempfile.mkdtemp(prefix="mltrail-model-")
    try:
        yield Path(download_model(model_uri, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepare(model_dir: Path, manager: str) -> model_env.ModelEnv:
    env = model_env.prepare(model_dir, manager)
    if env.location is not None:
        state = "Created" if env.created else "Reusing"
        _log.info("%s the %s environment %s", state, manager, env.location)
    return env


def run_in_env(model_uri: str, manager: str, command: str, options: Sequence[str]) -> int:
    """Run ``mltrail models COMMAND -m <model> OPTIONS`` in the model's environment; return
    the child's exit code."""
    model_env.check_manager(manager)  # fail before downloading anything
    with local_model(model_uri) as model_dir:
        env = prepare(model_dir, manager)
        argv = env.mltrail_argv(
            "models", command, "-m", str(model_dir), *options, "--env-manager", "local"
        )
        return run_foreground(argv, env.child_env())
