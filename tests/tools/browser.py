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
