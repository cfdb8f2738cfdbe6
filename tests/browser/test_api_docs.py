"""The API docs of the embedded server work without the network: Swagger UI at /docs and ReDoc at /redoc render
from packaged files while every request off this machine is blocked, and the favicon is there."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx
import pytest

from tests.browser.conftest import Server

expect = pytest.importorskip("playwright.sync_api").expect


def _offline(page: object, server: Server) -> list[str]:
    """Abort every request that leaves the server under test; return the code and data among them (ReDoc's footer
    asks its CDN for a logo image, which it can do without)."""
    here = urlparse(server.url).netloc
    blocked: list[str] = []

    def route(r: object) -> None:
        if urlparse(r.request.url).netloc == here:
            r.continue_()
        else:
            if r.request.resource_type != "image":
                blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def test_swagger_ui_renders_offline(page, server: Server) -> None:
    blocked = _offline(page, server)
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible()  # an operation of the API, drawn by Swagger UI
    assert page.locator(".opblock").count() > 20
    assert blocked == []


def test_redoc_renders_offline(page, server: Server) -> None:
    blocked = _offline(page, server)
    page.goto("/redoc")
    expect(page.locator("h1").first).to_contain_text("FaultMaven", timeout=60_000)  # drawn by ReDoc from the spec
    assert page.get_by_text("/api/v1/cases/{case_id}/turns").count() >= 1
    assert blocked == []


def test_favicon_is_served(server: Server) -> None:
    r = httpx.get(f"{server.url}/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon" and r.content[:4] == b"\0\0\1\0"
