"""A wheel of the running mltrail, so a Docker image (or a model environment made from a
regular, non-checkout installation) runs exactly this code.

mltrail is pure Python, so the wheel is simply its package folder (source checkout, editable
or regular install alike) plus the installed distribution's metadata: no build backend, no
package index and no network. Wheels are kept under the environment root by a digest of their
content, so an unchanged installation reuses one wheel (and the environments built from it).
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from mltrail.envs.venvs import env_root
from mltrail.errors import MltrailError

NAME = "mltrail"
_SKIPPED_DIRS = {"__pycache__"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same content gives the same bytes


def package_dir() -> Path:
    import mltrail

    return Path(mltrail.__file__).resolve().parent


def _distribution() -> metadata.Distribution:
    try:
        return metadata.distribution(NAME)
    except metadata.PackageNotFoundError:
        raise MltrailError(
            "mltrail is imported from a folder that was never installed, so its metadata "
            "(version, dependencies) is unknown: install it (`pip install -e .`) first."
        ) from None


def _package_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(archive name, file) for every file of the package, in a stable order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in sorted(files):
            if not name.endswith(_SKIPPED_SUFFIXES):
                path = Path(folder) / name
                yield f"{NAME}/{path.relative_to(root).as_posix()}", path


def _dist_info(version: str) -> dict[str, bytes]:
    dist = _distribution()
    info = f"{NAME}-{version}.dist-info"
    # License-File lines name files that are not in this wheel; installers need not know them.
    # An egg-info (a checkout's build folder found first on sys.path) calls it PKG-INFO.
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    lines = text.splitlines()
    kept = "\n".join(line for line in lines if not line.startswith("License-File:"))
    files = {
        f"{info}/METADATA": (kept + "\n").encode(),
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: mltrail\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    entry_points = dist.read_text("entry_points.txt")
    if entry_points:
        files[f"{info}/entry_points.txt"] = entry_points.encode()
    return files


def wheel_filename() -> str:
    return f"{NAME}-{_distribution().version}-py3-none-any.whl"


def mltrail_wheel(target_dir: Path | None = None) -> Path:
    """The wheel of the running mltrail: cached under the environment root by content digest,
    or written into `target_dir` (for an image's build context) when given."""
    version = _distribution().version
    members = list(_package_files(package_dir()))
    contents = {name: path.read_bytes() for name, path in members}
    contents.update(_dist_info(version))
    digest = hashlib.sha256()
    for name in sorted(contents):
        digest.update(name.encode() + b"\0" + hashlib.sha256(contents[name]).digest())
    folder = target_dir or env_root() / "wheels" / digest.hexdigest()[:20]
    wheel = folder / wheel_filename()
    if not wheel.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        _write_wheel(wheel, contents, f"{NAME}-{version}.dist-info/RECORD")
    return wheel


def _write_wheel(wheel: Path, contents: dict[str, bytes], record_name: str) -> None:
    records = []
    for name, data in contents.items():
        hashed = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        records.append(f"{name},sha256={hashed},{len(data)}")
    records.append(f"{record_name},,")
    # Written aside and renamed, so a concurrent reader never sees half a wheel.
    handle, partial = tempfile.mkstemp(dir=wheel.parent, suffix=".part")
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in [*contents.items(), (record_name, "\n".join(records).encode())]:
                entry = zipfile.ZipInfo(name, _EPOCH)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, data)
        os.replace(partial, wheel)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
