"""The dashboard in headless Chromium against the embedded server: sign in (and the extension hand-off), upload a
folder of runbooks, find one by describing a symptom, edit and delete documents, review a case with its log
analysis charts and export it, the settings page, and a token refresh. Each page is saved as a screenshot."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import Server, shot

expect = pytest.importorskip("playwright.sync_api").expect

RUNBOOKS = Path(__file__).resolve().parents[1] / "fixtures" / "dashboard" / "runbooks"
PASSWORD = "correct horse battery staple"


def _user() -> str:
    return f"user{uuid.uuid4().hex[:10]}"


def _register(server: Server, username: str) -> dict:
    r = httpx.post(f"{server.url}/api/v1/auth/register", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()


def _sign_in(page, username: str) -> None:
    page.goto("/dashboard/#/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/dashboard/#/kb")
    page.wait_for_selector("#kb-stats .stat")


def _app_log() -> bytes:
    """600 lines over 40 minutes with a burst of upstream timeouts in the middle."""
    lines = []
    for i in range(600):
        level = "ERROR" if 300 <= i < 380 and i % 2 == 0 else ("WARN" if i % 25 == 0 else "INFO")
        message = {"ERROR": f"upstream request to payments-{i % 3} timed out after {3000 + i} ms",
                   "WARN": f"slow query took {i * 3} ms", "INFO": f"GET /api/checkout/{i} 200 in {20 + i % 50} ms"}
        lines.append(f"2026-11-20 10:{i // 15:02d}:{(i * 4) % 60:02d},{i % 1000:03d} {level} [worker-{i % 4}] "
                     f"app.http: {message[level]}")
    return ("\n".join(lines) + "\n").encode()


def _case_with_evidence(server: Server, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    case = httpx.post(f"{server.url}/api/v1/cases", headers=headers,
                      json={"title": "Checkout latency after deploy", "description": "p99 went from 200 ms to 4 s"})
    assert case.status_code == 201, case.text
    case_id = case.json()["case_id"]
    turns = [({"query": "Checkout is slow since the 10:20 deploy; the app log is attached"},
              {"files": ("app.log", _app_log(), "text/plain")}),
             ({"query": "Yes"}, None),  # confirms the proposed investigation
             ({"query": "It began with the 10:20 deploy of payments v2.3 and only checkout is affected; maybe the new "
                        "payments client timeout is too short."}, None)]
    for data, files in turns:
        turn = httpx.post(f"{server.url}/api/v1/cases/{case_id}/turns", headers=headers, timeout=120, data=data,
                          files=files)
        assert turn.status_code == 200, turn.text
    closed = httpx.post(f"{server.url}/api/v1/cases/{case_id}/close", headers=headers,
                        json={"closure_reason": "mitigation_sufficient"})
    assert closed.status_code == 200, closed.text
    return case_id


def test_register_signs_in_and_hands_off_to_the_extension(page, server: Server) -> None:
    page.goto("/")  # the bare server URL leads to the dashboard's sign-in
    page.wait_for_url("**/dashboard/#/login")
    # What the extension's auth bridge would receive: a same-window message.
    page.evaluate("window.addEventListener('message', (e) => { window.__handoff = e.data; })")
    shot(page, "01-login")
    page.click("#toggle-register")
    username = _user()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=display_name]", "Dana <b>Ops</b>")
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/dashboard/#/kb")
    assert page.inner_text("#account .who") == "Dana <b>Ops</b>"  # text, never markup

    handoff = page.wait_for_function("window.__handoff").json_value()
    assert handoff["type"] == "FM_AUTH_SUCCESS"
    payload = handoff["payload"]
    now_ms = time.time() * 1000
    assert now_ms + 300_000 < payload["expires_at"] < now_ms + 3_600_000  # epoch milliseconds, ~15 minutes ahead
    assert payload["token_type"] == "bearer" and payload["user"]["username"] == username
    assert payload["user"]["is_active"] is True and payload["refresh_expires_at"] > payload["expires_at"]
    own = json.loads(page.evaluate("sessionStorage.getItem('fm_dashboard_auth')"))
    # The extension gets a token family of its own: rotating one must not revoke the other.
    assert payload["refresh_token"] != own["refresh_token"]
    assert page.evaluate("localStorage.length") == 0  # no tokens on disk
    me = httpx.get(f"{server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {payload['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == username

    page.click("#sign-out")
    page.wait_for_url("**/dashboard/#/login")
    assert page.evaluate("sessionStorage.getItem('fm_dashboard_auth')") is None
    page.goto("/dashboard/#/cases")
    page.wait_for_url("**/dashboard/#/login")  # signed-out pages lead back to sign-in


def test_knowledge_base_upload_search_edit_delete(page, server: Server) -> None:
    username = _user()
    _register(server, username)
    _sign_in(page, username)
    assert page.locator("#upload-scope option[value=global]").count() == 0  # global scope is for admins
    page.fill("#upload-tags", "openshift, alerts")
    page.set_input_files("#upload-folder", str(RUNBOOKS))  # a whole folder, as "Choose a folder" sends it
    expect(page.locator("#upload-queue li.done")).to_have_count(4)  # three runbooks and NOTICE.md
    expect(page.locator("#upload-queue li.skipped", has_text="LICENSE")).to_have_count(1)
    expect(page.locator("#documents .badge-indexed")).to_have_count(4, timeout=90_000)  # ingestion finished
    page.wait_for_selector("#kb-stats .stat-value")

    page.fill("#search-query", "DNS lookups fail and pods cannot resolve service names")
    page.click("#search-form button[type=submit]")
    first = page.locator("#search-results .result").first
    first.wait_for()
    assert "CoreDNSErrorsHigh" in first.locator(".result-title").inner_text()
    assert page.locator("#search-results .snippet mark").count() > 0
    shot(page, "02-knowledge-base")

    page.select_option("#filter-status", "indexed")
    page.fill("#filter-tags", "alerts")
    page.click("#filters button[type=submit]")
    expect(page.locator("#documents tr[data-document]")).to_have_count(4)

    first.locator(".result-title").click()
    page.wait_for_url("**/dashboard/#/kb/*")
    assert "SERVFAIL" in page.inner_text("#document-content")
    page.fill("#edit-form input[name=tags]", "dns, coredns")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#edit-form .notice-ok")
    doc_id = page.url.rsplit("/", 1)[1]
    shot(page, "03-document")
    page.click("#delete-document")
    page.wait_for_url("**/dashboard/#/kb")
    expect(page.locator("#documents tr[data-document]")).to_have_count(3)
    assert page.locator(f"#documents tr[data-document='{doc_id}']").count() == 0

    page.locator("#documents tr[data-document] button[data-delete]").first.click()  # delete from the list too
    expect(page.locator("#documents tr[data-document]")).to_have_count(2)


def test_a_pending_document_shows_how_many_chunks_are_embedded(page, server: Server) -> None:
    pending = {"document_id": "doc-1", "title": "etcd runbook", "filename": "etcd.md", "document_type": "runbook",
               "scope": "personal", "status": "pending", "tags": [], "size_bytes": 2048,
               "updated_at": "2026-12-05T08:00:00Z", "chunk_count": 40, "chunks_embedded": 12}
    listing = {"documents": [pending], "total_count": 1, "scope_counts": {"personal": 1}, "has_more": False}
    page.route("**/api/v1/knowledge/documents?*", lambda route: route.fulfill(json=listing))
    username = _user()
    _register(server, username)
    _sign_in(page, username)
    progress = page.locator("#documents tr[data-document='doc-1'] .ingest-progress")
    expect(progress).to_contain_text("12 / 40 chunks embedded")
    assert progress.locator("progress").get_attribute("value") == "12"


def test_case_review_shows_evidence_charts_and_exports_markdown(page, server: Server) -> None:
    username = _user()
    tokens = _register(server, username)
    case_id = _case_with_evidence(server, tokens["access_token"])
    _sign_in(page, username)
    page.click("#nav a[data-section=cases]")
    page.wait_for_selector(f"#cases tr[data-case='{case_id}']")
    page.wait_for_selector("#case-charts svg")
    assert page.locator("#case-charts .day rect").count() >= 1  # opened today
    shot(page, "04-cases")

    page.click(f"#cases tr[data-case='{case_id}'] a")
    page.wait_for_url(f"**/dashboard/#/cases/{case_id}")
    page.wait_for_selector("#evidence .chart-figure svg")
    assert page.locator("#transcript .msg").count() >= 6
    assert page.locator("#hypotheses .hyp").count() >= 1
    assert page.locator("#reports .report").count() >= 1
    assert page.locator("#indicators li").count() == 6
    evidence = page.locator("#evidence .evidence-item").first
    assert "app.log" in evidence.inner_text()
    assert evidence.locator(".bucket .bar-error").count() >= 1  # the burst of timeouts in the error timeline
    assert "timed out" in evidence.locator(".hbar title").first.text_content()  # top template first
    shot(page, "05-case")

    with page.expect_download() as download_info:
        page.click("#export-case")
    download = download_info.value
    assert download.suggested_filename.endswith(f"{case_id}.md")
    markdown = Path(download.path()).read_text()
    assert markdown.startswith("# Checkout latency after deploy")
    assert "## Transcript" in markdown and "### app.log" in markdown and "timed out" in markdown


def test_settings_show_capabilities_and_redactions(page, server: Server) -> None:
    username = _user()
    _register(server, username)
    _sign_in(page, username)
    page.click("#nav a[data-section=settings]")
    page.wait_for_selector("#capabilities table")
    assert "/dashboard/" in page.inner_text("#capabilities")
    assert "healthy" in page.inner_text("#health")
    assert "email" in page.inner_text("#sanitizer") and "private_key" in page.inner_text("#sanitizer")
    assert page.inner_text("#llm-status").strip()
    shot(page, "06-settings")


def test_an_expired_access_token_is_refreshed_once(page, server: Server) -> None:
    from faultmaven.auth.keys import load_signing_key
    from faultmaven.auth.tokens import TokenIssuer
    from faultmaven.settings import Settings

    username = _user()
    tokens = _register(server, username)
    _sign_in(page, username)
    settings = Settings(mode="embedded", data_dir=server.data_dir)
    expired = TokenIssuer(load_signing_key(settings), issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                          access_ttl=-120, refresh_ttl=3600).access_token(tokens["user"]["user_id"], username, [])
    before = json.loads(page.evaluate("sessionStorage.getItem('fm_dashboard_auth')"))
    page.evaluate("(t) => { const a = JSON.parse(sessionStorage.getItem('fm_dashboard_auth')); a.access_token = t;"
                  " sessionStorage.setItem('fm_dashboard_auth', JSON.stringify(a)); }", expired)
    page.click("#nav a[data-section=settings]")
    page.wait_for_selector("#account-info table")
    assert username in page.inner_text("#account-info")
    after = json.loads(page.evaluate("sessionStorage.getItem('fm_dashboard_auth')"))
    assert after["access_token"] not in (expired, before["access_token"])
    assert after["refresh_token"] != before["refresh_token"]  # rotated


@pytest.mark.parametrize("path", ["/dashboard/index.html", "/dashboard/app.js", "/dashboard/styles.css"])
def test_static_files_are_served(server: Server, path: str) -> None:
    r = httpx.get(f"{server.url}{path}")
    assert r.status_code == 200 and r.content


def test_admins_may_upload_to_the_global_scope(page, server: Server) -> None:
    import sqlite3

    username = _user()
    _register(server, username)
    # No route grants roles yet: promote the user in the embedded database, then sign in for a token with the role.
    with sqlite3.connect(server.data_dir / "faultmaven.db") as db:
        db.execute("UPDATE users SET roles = ? WHERE username = ?", (json.dumps(["admin"]), username))
    _sign_in(page, username)
    page.select_option("#upload-scope", "global")
    page.set_input_files("#upload-files", str(RUNBOOKS / "etcdNoLeader.md"))
    expect(page.locator("#upload-queue li.done")).to_have_count(1)
    page.select_option("#filter-scope", "global")
    expect(page.locator("#documents tr[data-document] .badge-global")).to_have_count(1)
    page.locator("#documents tr[data-document] button[data-delete]").click()  # global documents are seen by all
    expect(page.locator("#documents tr[data-document]")).to_have_count(0)


def test_markup_in_documents_is_shown_as_text(page, server: Server) -> None:
    username = _user()
    tokens = _register(server, username)
    # Inline HTML in prose is stripped at ingestion; markup inside a code block is kept and must show as text.
    text = (b"# Pager runbook\n\nWhen the pager shows <i>this</i>, restart the relay:\n\n"
            b"```\n<img src=x onerror=alert(1)> <b>quokka</b>\n```\n")
    r = httpx.post(f"{server.url}/api/v1/knowledge/documents", params={"wait": "true"}, timeout=120,
                   headers={"Authorization": f"Bearer {tokens['access_token']}"},
                   files={"file": ("pager.md", text, "text/markdown")})
    assert r.status_code == 201, r.text
    _sign_in(page, username)
    page.fill("#search-query", "quokka relay")
    page.click("#search-form button[type=submit]")
    snippet = page.locator("#search-results .snippet").first
    snippet.wait_for()
    assert "<b>quokka</b>" in snippet.inner_text()
    assert snippet.locator("img, b").count() == 0 and snippet.locator("mark").count() >= 1
