"""The teams pages in headless Chromium at desktop and phone sizes: create a team, invite a teammate who joins from
their invitations, share a case from its page, then the team page shows members, roles, the shared case and the
audit trail; the case page names each message's author. Every page passes the layout check (nothing overflows
sideways, no control hidden behind another element)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.browser.conftest import Server, shot
from tests.browser.layout import assert_layout_ok

expect = pytest.importorskip("playwright.sync_api").expect

PASSWORD = "correct horse battery staple"


def _register(server: Server, username: str) -> dict:
    r = httpx.post(f"{server.url}/api/v1/auth/register", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()


def _sign_in(page: object, username: str) -> None:
    page.goto("/dashboard/#/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/dashboard/#/kb")


def _sign_out(page: object) -> None:
    page.click("#sign-out")
    page.wait_for_url("**/dashboard/#/login")


def _click(page: object, selector: str) -> None:
    button = page.locator(selector).first
    button.scroll_into_view_if_needed()
    button.click()  # Playwright refuses to click an element another one covers


def test_a_team_is_formed_and_works_a_shared_case(sized_page: tuple[object, str], server: Server) -> None:
    page, size = sized_page
    suffix = uuid.uuid4().hex[:8]
    lead, mate = f"lead{suffix}", f"mate{suffix}"
    _register(server, mate)
    token = _register(server, lead)["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    case_id = httpx.post(f"{server.url}/api/v1/cases", headers=headers,
                         json={"title": f"Checkout 503s {suffix}"}).json()["case_id"]
    turn = httpx.post(f"{server.url}/api/v1/cases/{case_id}/turns", headers=headers,
                      data={"query": "checkout returns 503 since 09:10"}, timeout=120)
    assert turn.status_code == 200, turn.text

    _sign_in(page, lead)
    page.click("#nav a[data-section=teams]")
    page.wait_for_url("**/dashboard/#/teams")
    page.fill("#new-team-name", f"Payments {suffix}")
    _click(page, "#new-team-submit")
    team_link = page.locator("#teams a", has_text=f"Payments {suffix}")
    expect(team_link).to_be_visible()
    assert_layout_ok(page)
    team_link.click()
    page.wait_for_selector("#team-members")
    page.fill("#invite-who", mate)
    page.select_option("#invite-role", "member")
    _click(page, "#invite-submit")
    expect(page.locator("#invite .notice-ok")).to_contain_text(mate)

    page.goto(f"/dashboard/#/cases/{case_id}")
    page.wait_for_selector("#share-form")
    page.select_option("#share-permission", "contribute")
    _click(page, "#share-submit")
    expect(page.locator("#shares li")).to_contain_text(f"Payments {suffix}")
    expect(page.locator("#transcript .msg-user .msg-head").first).to_contain_text(lead)
    assert_layout_ok(page)
    _sign_out(page)

    _sign_in(page, mate)
    page.goto("/dashboard/#/teams")
    _click(page, "#my-invitations button[data-accept]")
    link = page.locator("#teams a", has_text=f"Payments {suffix}")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("#team-members tbody tr")).to_have_count(2)
    expect(page.locator("#team-cases a", has_text=f"Checkout 503s {suffix}")).to_be_visible()
    expect(page.locator("#team-audit")).to_have_count(0)  # a member does not see the audit trail
    assert_layout_ok(page)
    shot(page, f"team-member-{size}")
    page.locator("#team-cases a").first.click()
    page.wait_for_selector("#transcript")
    assert_layout_ok(page)
    _sign_out(page)

    _sign_in(page, lead)
    page.goto("/dashboard/#/teams")
    page.locator("#teams a", has_text=f"Payments {suffix}").click()
    expect(page.locator("#team-audit tbody tr").first).to_be_visible()
    expect(page.locator("#team-audit")).to_contain_text("case.read")
    assert_layout_ok(page)
    shot(page, f"team-admin-{size}")
