"""Institutional memory in the dashboard at desktop and phone sizes: draft a resolved case's postmortem, edit and
approve it on the drafts page, then find it on the past-incidents page with what fixed it. Every page passes the
layout check (nothing overflows sideways, no control hidden behind another element) and logs no errors."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.browser.conftest import Server, shot
from tests.browser.layout import assert_layout_ok

expect = pytest.importorskip("playwright.sync_api").expect

PASSWORD = "correct horse battery staple"
LOG = "\n".join(f"2026-11-25 09:{10 + i // 60:02d}:{i % 60:02d} ERROR pool: connection refused to 10.0.0.{i % 5}:5432"
                for i in range(60)).encode()
FIX = "Raised the connection pool to 50 and rolled back to v2.2."


def _resolved_case(server: Server, username: str) -> tuple[str, dict[str, str]]:
    """Register `username` and resolve a case through the API (the offline copilot's flow); the case and the
    user's headers."""
    r = httpx.post(f"{server.url}/api/v1/auth/register", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    case_id = httpx.post(f"{server.url}/api/v1/cases", headers=headers,
                         json={"title": "Checkout 503: database pool exhausted"}).json()["case_id"]

    def turn(files: dict | None = None, **data: str) -> dict:
        t = httpx.post(f"{server.url}/api/v1/cases/{case_id}/turns", headers=headers, data=data, files=files,
                       timeout=120)
        assert t.status_code == 200, t.text
        return t.json()

    turn(query="checkout returns 503 errors since 09:10")
    turn(query="", intent_type="confirmation", intent_data='{"decision":"yes"}')
    turn(query="only eu-west users, 30% of requests; we deployed v2.3 at 09:05",
         files={"files": ("api.log", LOG, "text/plain")})
    hid = httpx.get(f"{server.url}/api/v1/cases/{case_id}", headers=headers).json()["hypotheses"][0]["hypothesis_id"]
    turn(query="", intent_type="hypothesis_action",
         intent_data=json.dumps({"hypothesis_id": hid, "action": "validate", "reason": "pool of 10, v2.3 opens 40"}))
    turn(query="We rolled back to v2.2 at 10:02. The errors stopped.")
    assert turn(query="yes")["case_state"] == "resolved"
    return case_id, headers


def test_a_resolved_case_is_drafted_reviewed_and_found_as_a_past_incident(
        sized_page: tuple[object, str], server: Server) -> None:
    page, size = sized_page
    username = f"reviewer{uuid.uuid4().hex[:8]}"
    case_id, headers = _resolved_case(server, username)
    team = httpx.post(f"{server.url}/api/v1/teams", headers=headers, json={"name": f"SRE {username}"}).json()
    page.goto("/dashboard/#/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/dashboard/#/kb")

    page.click("#nav a[data-section=memory]")
    page.wait_for_url("**/dashboard/#/memory")
    expect(page.locator("#extract-case option")).to_have_count(1)
    assert_layout_ok(page)
    page.click("#extract-submit")
    draft = page.locator("#drafts .draft").first
    expect(draft).to_be_visible()
    assert case_id in draft.inner_text() and username in draft.inner_text()
    page.click("#drafts .draft summary >> nth=0")  # the postmortem, rendered
    expect(page.locator("#drafts .draft .md :is(h3, h4)", has_text="Follow-ups")).to_have_count(1)
    assert_layout_ok(page)
    shot(page, f"20-memory-draft-{size}")

    page.click("#drafts button[data-action=edit]")
    page.fill(".draft-edit textarea[name=fix]", FIX)
    assert_layout_ok(page)
    page.click(".draft-edit button[data-action=save]")
    expect(page.locator("#drafts .draft-fix")).to_have_text(FIX)
    page.fill("#drafts input[name=note]", "checked with the DB team")
    page.select_option("#drafts select[name=scope]", team["team_id"])  # indexed for the reviewer's team
    page.click("#drafts button[data-action=approve]")
    expect(page.locator("#drafts-summary")).to_have_text("0 pending draft(s)")
    page.select_option("#draft-status", "approved")
    expect(page.locator("#drafts .draft .title-row .badge-approved")).to_have_count(1)
    assert "checked with the DB team" in page.inner_text("#drafts")
    assert_layout_ok(page)

    page.click("#tab-past")
    page.wait_for_url("**/dashboard/#/memory/past")
    expect(page.locator("#past-incidents .incident")).to_have_count(1)
    page.fill("#past-query", "api logs connection refused to postgres 5432 after a deploy")
    page.click("#past-search button[type=submit]")
    expect(page.locator("#past-summary")).to_have_text("1 most similar past incident(s)")
    incident = page.locator("#past-incidents .incident").first
    expect(incident.locator(".incident-fix")).to_contain_text(FIX)
    assert case_id in incident.inner_text() and "reviewed" in incident.inner_text()
    document_id = incident.get_attribute("data-document")
    doc = httpx.get(f"{server.url}/api/v1/knowledge/documents/{document_id}", headers=headers).json()
    assert (doc["scope"], doc["team_id"]) == ("team", team["team_id"])
    assert_layout_ok(page)
    shot(page, f"21-memory-past-incidents-{size}")
