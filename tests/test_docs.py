"""The Python examples in the README and docs run as written, so the docs cannot drift."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    "README.md",
    "docs/tracking.md",
    "docs/search.md",
    "docs/flavors.md",
    "docs/autolog.md",
    "docs/projects.md",
    "docs/ui.md",
]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    return [
        (f"{page}#{n}", code)
        for page in PAGES
        for n, code in enumerate(BLOCK.findall((ROOT / page).read_text()))
    ]


@pytest.mark.parametrize(("where", "code"), _examples(), ids=[w for w, _ in _examples()])
def test_documented_example_runs(where: str, code: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{where} failed:\n{result.stderr[-3000:]}"
    assert (tmp_path / "mltrail.db").exists(), f"{where} recorded nothing"
