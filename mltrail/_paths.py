"""Artifact-path safety: the one place a user- or wire-supplied path becomes a safe relative path.

`normalize_artifact_path` checks the text; `confined` maps it under a root directory and refuses
anything (including a symlink) that would land outside that root.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from mltrail.errors import InvalidParameter

__all__ = ["confined", "normalize_artifact_path"]

# Enough for any honest path; a path still changing after this many rounds is an attack.
_MAX_DECODE_ROUNDS = 8
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalize_artifact_path(path: str | None) -> str:
    """Return `path` as a clean '/'-separated relative path ("" means the root).

    The path is taken literally (an HTTP layer has already decoded the URL once), so a file
    may be named ``a%20b.txt``. Percent-escapes are decoded repeatedly only to look for
    disguised traversal: if the text or any decoding of it holds a ``..`` segment, an
    absolute path or drive, a backslash or a control character, InvalidParameter is raised.
    Empty and ``.`` segments are dropped.
    """
    if path is None:
        return ""
    for variant in _decodings(path):
        _refuse_unsafe(path, variant)
    return "/".join(segment for segment in path.split("/") if segment not in ("", "."))


def confined(root: Path, rel: str | None) -> Path:
    """The absolute, symlink-resolved location of `rel` under `root`.

    `rel` is normalized first. Raises InvalidParameter when the resolved location is outside
    the resolved root, e.g. through a symlink inside the root that points elsewhere.
    """
    base = root.resolve()
    target = (base / normalize_artifact_path(rel)).resolve()
    if target != base and base not in target.parents:
        raise InvalidParameter(
            f"Invalid artifact path {rel!r}: it resolves outside the artifact root "
            "(a symbolic link pointing elsewhere?)."
        )
    return target


def _decodings(path: str) -> list[str]:
    """The path and each successive percent-decoding of it, until it stops changing."""
    variants = [path]
    for _ in range(_MAX_DECODE_ROUNDS):
        decoded = unquote(variants[-1])
        if decoded == variants[-1]:
            return variants
        variants.append(decoded)
    raise InvalidParameter(f"Invalid artifact path {path!r}: too many levels of percent-encoding.")


def _refuse_unsafe(original: str, candidate: str) -> None:
    reason = _unsafe_reason(candidate)
    if reason is not None:
        raise InvalidParameter(
            f"Invalid artifact path {original!r}: {reason}. Artifact paths are relative, "
            "'/'-separated and stay inside the artifact root."
        )


def _unsafe_reason(candidate: str) -> str | None:
    if _CONTROL.search(candidate):
        return "it contains a NUL or control character"
    if "\\" in candidate:
        return "it contains a backslash"
    if candidate.startswith("/") or _DRIVE.match(candidate):
        return "it is an absolute path"
    if ".." in candidate.split("/"):
        return "it contains a '..' segment"
    return None
