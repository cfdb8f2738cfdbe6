"""What an operator sees: one JSON access-log line per request (never a body, a token or a query string), the API
docs from packaged files, and a favicon."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from faultmaven.http.logging import logger
from tests.conftest import PASSWORD, SignedIn


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """What the JSON logger writes during the test."""
    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_every_request_is_logged_with_who_what_and_how_long(client: TestClient, alice: SignedIn,
                                                             log_stream: io.StringIO) -> None:
    secret_title = "Quokka outage db_password=hunter2"
    r = client.post("/api/v1/cases?debug_token=sekrit", json={"title": secret_title}, headers=alice.headers)
    assert r.status_code == 201
    case_id = r.json()["case_id"]
    client.get(f"/api/v1/cases/{case_id}", headers=alice.headers)
    client.get("/api/v1/cases/nope", headers={"Authorization": "Bearer not-a-token"})
    client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    client.get("/no/such/route")
    rid = client.get("/health", headers={"X-Request-Id": "trace-123"}).headers["X-Request-Id"]
    text = log_stream.getvalue()
    access = [json.loads(x) for x in text.splitlines() if x.startswith("{") and '"message":"access"' in x]
    created, got, refused, login, missing, health = access[-6:]
    assert created["route"] == "/api/v1/cases" and created["method"] == "POST" and created["status"] == 201
    assert created["user_id"] == alice.user_id and created["latency_ms"] >= 0 and created["request_id"]
    assert got["route"] == "/api/v1/cases/{case_id}" and got["path"] == f"/api/v1/cases/{case_id}"
    assert refused["status"] == 401 and "user_id" not in refused
    assert login["route"] == "/api/v1/auth/login" and login["status"] == 200
    assert missing["status"] == 404 and "route" not in missing
    assert health["request_id"] == rid == "trace-123"
    for secret in (secret_title, "hunter2", "sekrit", PASSWORD, alice.access_token, "not-a-token"):
        assert secret not in text


def test_api_docs_are_served_from_package_files(client: TestClient) -> None:
    for page, assets in (("/docs", ("swagger-ui-bundle.js", "swagger-ui.css")), ("/redoc", ("redoc.standalone.js",))):
        html = client.get(page).text
        assert "cdn." not in html and "fonts.googleapis" not in html
        for asset in assets:
            assert f"/docs-assets/{asset}" in html
            assert client.get(f"/docs-assets/{asset}").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_favicon(client: TestClient) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"


def test_each_access_line_carries_its_own_request_id_under_concurrency(client: TestClient,
                                                                       log_stream: io.StringIO) -> None:
    """Requests in flight at once each log their own id (the logger's keys are per request, not per process)."""
    ids = [f"req-{n}" for n in range(40)]

    def call(rid: str) -> int:
        return client.get(f"/api/v1/cases/{rid}", headers={"X-Request-Id": rid,
                                                           "Authorization": "Bearer not-a-token"}).status_code

    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        assert set(pool.map(call, ids)) == {401}
    access = [json.loads(x) for x in log_stream.getvalue().splitlines() if '"message":"access"' in x]
    logged = {line["path"].rsplit("/", 1)[1]: line.get("request_id") for line in access}
    assert logged == {rid: rid for rid in ids}
