"""The embedded server serves the dashboard's static files at /dashboard/ and sends the bare URL there."""

from __future__ import annotations

import posixpath
import re

from fastapi.testclient import TestClient

from local.server import DASHBOARD_DIR


def test_root_and_bare_dashboard_path_redirect_to_the_dashboard(client: TestClient) -> None:
    for path in ("/", "/dashboard"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "/dashboard/"


def test_index_is_served_with_a_strict_content_security_policy(client: TestClient) -> None:
    r = client.get("/dashboard/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.text and 'type="module" src="app.js"' in r.text


def test_every_module_the_app_imports_is_served_as_javascript(client: TestClient) -> None:
    """Walk the ES-module graph from app.js: a typo in an import path would break the page only in a browser."""
    seen: set[str] = set()
    pending = ["app.js"]
    while pending:
        rel = pending.pop()
        if rel in seen:
            continue
        seen.add(rel)
        r = client.get(f"/dashboard/{rel}")
        assert r.status_code == 200, rel
        assert "javascript" in r.headers["content-type"], rel
        for spec in re.findall(r'^import .*? from "(\.{1,2}/[^"]+)";', r.text, flags=re.M):
            pending.append(posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec)))
    on_disk = {p.relative_to(DASHBOARD_DIR).as_posix() for p in DASHBOARD_DIR.rglob("*.js")} - {"config.js"}
    assert seen == on_disk  # every module is reachable, none is dead


def test_dashboard_is_not_in_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(p == "/" or p.startswith("/dashboard") for p in paths)
