"""Debian's chromium driven by Playwright, shared by the browser tests.

Playwright never downloads a browser here: it starts /usr/bin/chromium (``make browser``
installs it with the CJK fonts). Screenshots land in results/screenshots/ (kept out of git);
set SCREENSHOT_DIR=docs/screenshots to refresh the ones the README shows.
"""

from __future__ import annotations

import contextlib
import os
import pathlib

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = pathlib.Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = pathlib.Path(
    os.environ.get("SCREENSHOT_DIR")
    or pathlib.Path(__file__).resolve().parent.parent.parent / "results" / "screenshots"
)


@contextlib.contextmanager
def chromium():
    """A headless chromium for a test module, or a skip when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: run `make browser`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def console_error(message, problems: list) -> None:
    """Records a browser console error (a CSP violation is one)."""
    # a request a test aborts on purpose (route.abort) is logged as ERR_FAILED
    if message.type == "error" and "net::ERR_FAILED" not in message.text:
        problems.append(f"console {message.type}: {message.text}")


AXE = (
    pathlib.Path(__file__).resolve().parent.parent.parent / ".axe/node_modules/axe-core/axe.min.js"
)


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now ("rule: selector — summary" each).

    axe-core comes from the npm registry (`make axe`, which `make test` runs); it is evaluated
    through the DevTools protocol, so the page's Content-Security-Policy stays as strict as
    residents get it.
    """
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make axe` (make test installs it)")
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .flatMap(v => v.nodes.map(n => `${v.id}: ${n.target.join(" ")} — ${n.failureSummary}`))"""
    )
