"""Fixtures for the dashboard's browser tests: the embedded server in a subprocess, and Debian's Chromium driven by
Playwright (never a downloaded browser). Every test here is skipped when /usr/bin/chromium or playwright is missing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path(os.environ.get("FM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
REPO = Path(__file__).resolve().parents[2]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is missing (pip install playwright)"
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`faultmaven serve` on a free port over a fresh data dir; stopped (by its own pid) after the module."""
    yield from serve(tmp_path_factory.mktemp("dashboard-data"))


def serve(data_dir: Path, **env_overrides: str) -> Iterator[Server]:
    """Run the embedded server until the generator is closed; `env_overrides` are FM_* settings for this server."""
    port = _free_port()
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true", "FM_LLM_PROVIDER": "none", "HF_HUB_OFFLINE": "1",
           **env_overrides}
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "local.cli", "serve", "--port", str(port), "--data-dir",
                             str(data_dir)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {(data_dir / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not become healthy within 60 s")
            time.sleep(0.2)
        yield Server(url, data_dir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Module-scoped: Playwright's sync API holds an asyncio loop on this thread while it runs, which would break
    later tests that call asyncio.run()."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, server: Server) -> Iterator[object]:
    yield from open_page(browser, server, {"width": 1280, "height": 900})


def open_page(browser: object, server: Server, viewport: dict[str, int], *, console_errors: bool = False
              ) -> Iterator[object]:
    """A fresh browser context on the server; after the test, no JavaScript errors (and, when `console_errors`,
    nothing logged as an error in the console, such as a failed resource load)."""
    context = browser.new_context(base_url=server.url, viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the dashboard confirms deletes with window.confirm
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if console_errors:
        page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(page: object, name: str) -> Path:
    """A full-page screenshot under tests/browser/screenshots/ (gitignored), for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(params=list(VIEWPORTS))
def sized_page(request: pytest.FixtureRequest, browser: object, server: Server) -> Iterator[tuple[object, str]]:
    """A page at each size the dashboard is tested at (desktop, then a phone), with its size's name."""
    for page in open_page(browser, server, VIEWPORTS[request.param], console_errors=True):
        yield page, request.param
