"""Running mltrail inside a model's environment as a child process that never outlives us."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from types import FrameType

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec (Linux): receive SIGTERM when the parent dies, so a server
    started in an environment is never orphaned by a killed launcher. Only a ctypes call on
    libc loaded beforehand: nothing here takes a lock another thread could hold at fork."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def start(
    argv: Sequence[str], env: Mapping[str, str], **options: object
) -> subprocess.Popen[bytes]:
    """Start `argv` in the background, tied to this process's life."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        list(argv),
        env=dict(env),
        preexec_fn=_die_with_parent,  # noqa: PLW1509
        **options,
    )


def run_foreground(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run `argv` to its end with our stdin/stdout/stderr; SIGTERM and SIGINT sent to us are
    passed on to it (the server shuts down gracefully), and its exit code is returned."""
    child = start(argv, env)

    def forward(signum: int, frame: FrameType | None) -> None:
        child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.kill()
            child.wait()
