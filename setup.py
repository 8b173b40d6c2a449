"""Build hook: `pip install .` from a clone builds the web UI into mltrail/server/static.

Everything else about the package lives in pyproject.toml. The UI build needs node and npm;
without them the package still installs, and the server's `/` says how to build the UI.
Set MLTRAIL_SKIP_UI_BUILD=1 to skip it; an up-to-date build is reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
UI = ROOT / "ui"
STATIC = ROOT / "mltrail" / "server" / "static"


def ui_is_current() -> bool:
    index = STATIC / "index.html"
    if not index.is_file():
        return False
    built = index.stat().st_mtime
    sources = [UI / "package-lock.json", UI / "index.html", *(UI / "src").rglob("*")]
    return all(p.stat().st_mtime <= built for p in sources if p.is_file())


def build_ui() -> None:
    if os.environ.get("MLTRAIL_SKIP_UI_BUILD") or not (UI / "package.json").is_file():
        return
    if ui_is_current():
        return
    npm = shutil.which("npm")
    if npm is None:
        print(
            "warning: npm not found; installing mltrail without its web UI (see scripts/build-ui)"
        )
        return
    if not (UI / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=UI, check=True)
    subprocess.run([npm, "run", "build"], cwd=UI, check=True)


class BuildPyWithUi(build_py):
    def run(self) -> None:
        # Before build_py lists package data, so the fresh build is included; and drop a
        # previous build's hashed assets from build/lib, which build_py would keep.
        build_ui()
        shutil.rmtree(Path(self.build_lib) / "mltrail" / "server" / "static", ignore_errors=True)
        super().run()


setup(cmdclass={"build_py": BuildPyWithUi})
