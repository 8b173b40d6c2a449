"""Screenshots of the model registry pages for docs/ui.md:
`python -m tests.e2e.screenshots_registry docs/images`.

Seeds a throwaway server with the browser tests' demo runs and registered models (no 10k-run
bulk experiment: these pages do not need it), then captures the three pages in headless Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

from tests.e2e import seed
from tests.e2e.conftest import CHROMIUM, FLAGS, start_server, stop
from tests.e2e.screenshots import shoot


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        process, url = start_server(root, f"sqlite:///{root / 'mltrail.db'}")
        try:
            ids = seed.seed_demo(url.rstrip("/"), root)
            seed.seed_registry(url.rstrip("/"), ids)
            model = f"{url}#/models/{quote(seed.REGISTRY_MODEL, safe='')}"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 800})
                shoot(page, f"{url}#/models", "models", out, "table.models tbody tr")
                shoot(page, model, "model-page", out, "table.versions tbody tr")
                shoot(page, f"{model}/versions/2", "model-version", out, ".model-card")
                browser.close()
        finally:
            stop(process)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
