"""Screenshots of the Dagster UI's division × year partitions (docs/scaling.md, "one agency from the UI").

Usage (a built demo lake and a running UI, e.g.):

    make demo && make ui PORT=3117 &
    .venv/bin/python scripts/screenshot_ui.py --port 3117 --out docs/screenshots

writes three PNGs into --out:

- ui_division_partitions.png: `curated` → Partitions, a division selected, its years' status;
- ui_division_partition_detail.png: one materialized division-year (`--partition`) and its
  metadata, whose `agency_years` table lists the agencies the run curated;
- ui_one_agency_launchpad.png: Materialize… → Open launchpad with that partition and
  `ops: {curated: {config: {agencies: [<--agency>]}}}` filled in. Nothing is launched.

Drives Debian's `chromium` (/usr/bin/chromium, `bash scripts/ensure_chromium.sh`) through
playwright; it never downloads a browser. Each PNG is shrunk (Pillow) to stay under --max-kb.
"""

from __future__ import annotations

import argparse
import io
import sys
import urllib.parse
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 900}
MAX_HEIGHT = 2600
"""Tallest page height a screenshot is grown to (the UI scrolls inside panels, so a plain
full-page shot would stop at the viewport)."""


def dismiss_popups(page: Page) -> None:
    """The first visit shows a "Join the Dagster community" dialog; skip it when it is there."""
    try:
        page.get_by_role("button", name="Skip").click(timeout=3000)
    except Exception:  # not shown: nothing to dismiss
        pass


def settle(page: Page, ms: int = 1500) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(ms)


def grow_to_content(page: Page) -> None:
    """Make the viewport as tall as the tallest scrolling panel, so the shot shows all of it."""
    height = page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight,
             ...[...document.querySelectorAll('*')]
               .filter(e => e.scrollHeight > e.clientHeight + 4 && getComputedStyle(e).overflowY !== 'visible')
               .map(e => e.scrollHeight + e.getBoundingClientRect().top))"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 40, MAX_HEIGHT)})
    settle(page, 800)


def save(page: Page, out: Path, max_kb: int) -> None:
    """Full-page PNG, shrunk by 10 % steps until it is under max_kb."""
    img = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    while True:
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        if buf.tell() <= max_kb * 1024 or img.width < 700:
            break
        img = img.resize((int(img.width * 0.9), int(img.height * 0.9)), Image.LANCZOS)
    out.write_bytes(buf.getvalue())
    print(f"{out}: {img.width}×{img.height}, {buf.tell() // 1024} KB")


def partitions_tab(page: Page, base: str, division: str) -> None:
    page.goto(f"{base}/assets/curated?view=partitions")
    settle(page)
    dismiss_popups(page)
    page.get_by_text(division, exact=True).first.click()
    settle(page)
    page.get_by_text("Materialized (").first.wait_for()


def partition_detail(page: Page, base: str, key: str) -> None:
    page.goto(f"{base}/assets/curated?view=partitions&partition={urllib.parse.quote(key)}")
    settle(page)
    dismiss_popups(page)
    page.get_by_text("agency_years", exact=True).first.wait_for()
    grow_to_content(page)


def one_agency_launchpad(page: Page, base: str, key: str, agency: str) -> None:
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{base}/assets/curated")
    settle(page)
    dismiss_popups(page)
    box = page.get_by_role("button", name="Materialize…").first.bounding_box()
    assert box, "no Materialize… button on the asset page"
    page.mouse.click(box["x"] + box["width"] + 15, box["y"] + box["height"] / 2)  # its ▾ menu
    page.get_by_role("menuitem", name="Open launchpad").click()
    settle(page)
    part = page.get_by_placeholder("Partition")
    part.click()
    part.fill(key)
    page.wait_for_timeout(800)
    part.press("Enter")
    settle(page, 800)
    config = page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()")
    config = config.replace("agencies: []", f"agencies: [{agency}]", 1)
    page.evaluate("(v) => document.querySelector('.CodeMirror').CodeMirror.setValue(v)", config)
    settle(page, 1500)  # the launchpad validates the config against the server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=3000)
    ap.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    ap.add_argument("--division", default="310000 上海市", help="division selected on the Partitions tab")
    ap.add_argument("--partition", default="350128 平潭县|2024", help="division-year shown and launched")
    ap.add_argument("--agency", default="平潭综合实验区", help="agency of that division-year put in the run config")
    ap.add_argument("--max-kb", type=int, default=390)
    args = ap.parse_args(argv)
    base = f"http://127.0.0.1:{args.port}"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport=VIEWPORT)
        partitions_tab(page, base, args.division)
        save(page, args.out / "ui_division_partitions.png", args.max_kb)
        partition_detail(page, base, args.partition)
        save(page, args.out / "ui_division_partition_detail.png", args.max_kb)
        one_agency_launchpad(page, base, args.partition, args.agency)
        save(page, args.out / "ui_one_agency_launchpad.png", args.max_kb)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
