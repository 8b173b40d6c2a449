"""Installs the example plugin in this process: its package folder and a `.dist-info` with
the entry points of its pyproject.toml go on sys.path, as `pip install` would arrange."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrail.store.uri import clear_plugin_cache
from mltrail.tracking.source import clear_context_cache

PLUGIN_DIR = Path(__file__).parent / "example_plugin"


def write_dist_info(site: Path) -> None:
    project = tomllib.loads((PLUGIN_DIR / "pyproject.toml").read_text())["project"]
    dist_info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    sections = [
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
        for group, points in project["entry-points"].items()
    ]
    (dist_info / "entry_points.txt").write_text("\n".join(sections))


@pytest.fixture(scope="module")
def example_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    site = tmp_path_factory.mktemp("site-packages")
    write_dist_info(site)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(site))
        patch.syspath_prepend(str(PLUGIN_DIR))
        clear_plugin_cache()
        clear_context_cache()
        yield
    clear_plugin_cache()
    clear_context_cache()
