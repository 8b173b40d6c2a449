"""The frontend's own checks, so `pytest` covers them: vitest unit tests and eslint.

Needs ui/node_modules (scripts/build-ui installs it with `npm ci`); fails, not skips, without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "ui"


def npm(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("npm")
    if exe is None or not (UI / "node_modules").is_dir():
        pytest.fail("npm or ui/node_modules is missing: run scripts/build-ui first.")
    return subprocess.run(
        [exe, *args], cwd=UI, capture_output=True, text=True, timeout=600, check=False
    )


def test_vitest_unit_tests_pass() -> None:
    result = npm("test", "--silent")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert re.search(r"Tests\s+.*\d+ passed", result.stdout), result.stdout[-2000:]


def test_eslint_is_clean() -> None:
    result = npm("run", "--silent", "lint")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
