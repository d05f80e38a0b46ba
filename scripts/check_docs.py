"""Open every page of the built docs in headless Chromium and check what a reader sees.

For each page, at a 1300 px wide viewport: every image has loaded (``naturalWidth > 0``), nothing
in the main content sticks out of its column or hides part of itself behind a horizontal
scrollbar, and nothing was fetched from anywhere but the local server. A full-page PNG of each
page goes to the screenshots folder for a reviewer. Exits non-zero, naming page and element, on
any failure.

Usage: ``python scripts/check_docs.py [HTML_DIR] [SCREENSHOT_DIR]``. Needs Debian's ``chromium``
and ``chromium-driver`` (``make docs-check`` installs them); never downloads a browser.
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.server
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 1300
HEIGHT = 900
# Sphinx's generated index and search pages hold no content of ours.
SKIPPED_PAGES = {"genindex.html", "search.html"}
# A screenshot taller than this is cut; the checks still cover the whole page.
MAX_SCREENSHOT_HEIGHT = 20000

# Runs in the page; returns a list of problems, each a short string.
PAGE_CHECKS_JS = """
const done = arguments[arguments.length - 1];
const problems = [];
const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  if (el.classList.length) name += "." + [...el.classList].join(".");
  const text = (el.getAttribute("src") || el.textContent || "").trim().replace(/\\s+/g, " ");
  return name + (text ? ' "' + text.slice(0, 60) + '"' : "");
};
const images = [...document.images];
Promise.all(images.map((img) => img.decode().catch(() => null))).then(() => {
  for (const img of images) {
    if (!img.complete || img.naturalWidth === 0) problems.push("image did not load: " + describe(img));
  }
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push("page scrolls horizontally: " + root.scrollWidth + " px wide in a " + window.innerWidth + " px window");
  }
  const main = document.querySelector("article[role=main]") || document.querySelector("main") || document.body;
  // Furo's headings and tables bleed half a rem into the column's padding by design: the column
  // is the whole .content box, whose right edge is the toc (or the window).
  const column = (main.closest(".content") || main).getBoundingClientRect();
  for (const el of main.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const scrolls = ["auto", "scroll", "hidden", "clip"].includes(style.overflowX);
    if (scrolls && el.scrollWidth > el.clientWidth + 1) {
      problems.push("cut off at the right (" + el.scrollWidth + " px of content in " + el.clientWidth + " px): " + describe(el));
      continue;
    }
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > column.right + 1) {
      // Inside a scrolling box the box itself is reported, not each of its children.
      let clipped = false;
      for (let up = el.parentElement; up && up !== main; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
      }
      if (!clipped) problems.push("sticks out of the content column by " + Math.ceil(box.right - column.right) + " px: " + describe(el));
    }
  }
  const origin = location.origin;
  for (const entry of performance.getEntriesByType("resource")) {
    if (!entry.name.startsWith(origin) && !entry.name.startsWith("data:")) problems.push("fetched from outside: " + entry.name);
  }
  done(problems);
});
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built docs without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    """Start Debian's headless Chromium with a fresh profile and no network features."""
    profile = tempfile.mkdtemp(prefix="docs-check-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    # An explicit driver path keeps Selenium Manager (which would download a driver) out of it.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.set_script_timeout(30)
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver: webdriver.Chrome, path: Path) -> None:
    """Write a full-page PNG of the current page, ``WIDTH`` px wide."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    height = min(int(height), MAX_SCREENSHOT_HEIGHT)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def pages(html_dir: Path) -> list[Path]:
    """The content pages of a Sphinx HTML build, relative to ``html_dir``."""
    found = [
        page.relative_to(html_dir)
        for page in sorted(html_dir.rglob("*.html"))
        if not page.relative_to(html_dir).parts[0].startswith("_")
    ]
    return [page for page in found if str(page) not in SKIPPED_PAGES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", nargs="?", type=Path, default=Path("docs/_build/html"))
    parser.add_argument("screenshot_dir", nargs="?", type=Path, default=Path("docs/_build/screenshots"))
    args = parser.parse_args(argv)
    to_check = pages(args.html_dir)
    if "index.html" not in {str(page) for page in to_check}:
        print(f"no Sphinx HTML build in {args.html_dir}", file=sys.stderr)
        return 2
    args.screenshot_dir.mkdir(parents=True, exist_ok=True)
    failures = 0
    with serve(args.html_dir) as base_url, chromium() as driver:
        for page in to_check:
            driver.get(f"{base_url}/{page.as_posix()}")
            problems = driver.execute_async_script(PAGE_CHECKS_JS)
            images = driver.execute_script("return document.images.length")
            shot = args.screenshot_dir / (page.as_posix().removesuffix(".html").replace("/", "-") + ".png")
            screenshot(driver, shot)
            print(f"{'FAIL' if problems else 'ok  '}  {page.as_posix():40} {images:2} images  {shot}")
            for problem in problems:
                print(f"        {problem}")
            failures += bool(problems)
    print(f"{len(to_check)} pages at {WIDTH} px: {len(to_check) - failures} ok, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
