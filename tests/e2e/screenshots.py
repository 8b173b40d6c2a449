"""Screenshots of the main views for docs/ui.md: `python -m tests.e2e.screenshots docs/images`.

Seeds a throwaway server exactly as the browser tests do, then captures each view in
headless Chromium (light theme, and the runs table once in dark mode).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.e2e import seed
from tests.e2e.conftest import CHROMIUM, FLAGS, start_server, stop


def shoot(page: Page, url: str, name: str, out: Path, ready: str) -> None:
    page.goto(url)
    page.locator(ready).first.wait_for()
    page.wait_for_timeout(400)  # let charts finish their first draw for the picture
    page.screenshot(path=str(out / f"{name}.png"))
    print(f"wrote {out / name}.png")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db_uri = f"sqlite:///{root / 'mltrail.db'}"
        bulk = seed.seed_bulk(db_uri)
        long_run = seed.seed_long_metric(db_uri)
        process, url = start_server(root, db_uri)
        try:
            ids = seed.seed_demo(url.rstrip("/"), root)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 800})
                page.goto(url)
                page.evaluate(
                    f"localStorage.setItem('mltrail.columns.{bulk}', "
                    "JSON.stringify(['metrics.score','metrics.m1','metrics.m2','params.group']))"
                )
                shoot(page, url, "experiments", out, "table.experiments tbody tr")
                shoot(page, f"{url}#/experiments/{bulk}", "runs-10k", out, ".runs-table .tbody .tr")
                exp = ids["experiment"]
                page.goto(f"{url}#/experiments/{exp}")
                page.get_by_role("button", name="Expand alpha").click()
                page.get_by_label("Select alpha", exact=True).check()
                page.get_by_label("Select beta", exact=True).check()
                page.screenshot(path=str(out / "runs-nested.png"))
                shoot(page, f"{url}#/runs/{ids['alpha']}", "run-overview", out, ".markdown")
                shoot(
                    page,
                    f"{url}#/runs/{ids['alpha']}/artifacts?path=model%2FMLmodel",
                    "artifact-model-card",
                    out,
                    ".model-card",
                )
                shoot(
                    page, f"{url}#/experiments/{exp}/charts", "charts", out, "figure.chart canvas"
                )
                shoot(
                    page, f"{url}#/runs/{long_run}/charts", "chart-long", out, "figure.chart canvas"
                )
                compare = ",".join(ids[n] for n in ("alpha", "beta", "gamma"))
                shoot(page, f"{url}#/compare?runs={compare}", "compare", out, "svg.scatter")
                page.evaluate("localStorage.setItem('mltrail.theme', JSON.stringify('dark'))")
                page.reload()
                shoot(
                    page,
                    f"{url}#/experiments/{exp}/charts",
                    "charts-dark",
                    out,
                    "figure.chart canvas",
                )
                browser.close()
        finally:
            stop(process)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
