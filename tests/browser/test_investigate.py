"""A whole case worked in the dashboard, as a new user without the browser extension would: sign up, upload a
runbook, open a case, report the problem (text and pasted output), confirm the proposed investigation with the Yes
button, attach a log, validate a hypothesis with its button, confirm the resolution, and read the resolution
report. The server answers every turn 202 (FM_TURN_SYNC_SECONDS=0), so the dashboard must poll the job's Location.
Run at desktop and phone sizes; nothing may overflow the screen, and the console must stay free of errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import Server, serve, shot

expect = pytest.importorskip("playwright.sync_api").expect

RUNBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "dashboard" / "runbooks" / "KubeAPIDown.md"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("investigate-data"), FM_TURN_SYNC_SECONDS="0")


def _log() -> bytes:
    lines = []
    for i in range(120):
        if i % 3 == 0:
            message = "ERROR pool: connection refused to 10.0.0.7:5432"
        else:
            message = f"INFO http: GET /checkout 503 in {40 + i} ms"
        lines.append(f"2026-11-25 09:{10 + i // 20:02d}:{i % 60:02d} {message}")
    return ("\n".join(lines) + "\n").encode()


def _fits_the_screen(page: object) -> None:
    """Nothing wider than the viewport: the page never scrolls sideways."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


def _send(page: object, query: str = "", *, paste: str = "", file: dict | None = None) -> None:
    before = page.locator("#transcript .msg").count()
    if query:
        page.fill("#turn-query", query)
    if paste:
        page.click("#composer details summary")
        page.fill("#turn-paste", paste)
    if file:
        page.set_input_files("#turn-file", file)
    page.click("#turn-send")
    expect(page.locator("#transcript .msg")).to_have_count(before + 2, timeout=120_000)


def _click_turn_button(page: object, selector: str) -> None:
    before = page.locator("#transcript .msg").count()
    button = page.locator(selector).first
    button.scroll_into_view_if_needed()
    button.click()  # Playwright refuses to click an element that another one covers
    expect(page.locator("#transcript .msg")).to_have_count(before + 2, timeout=120_000)


def test_a_case_is_worked_from_sign_up_to_resolution_report(sized_page: tuple[object, str]) -> None:
    page, size = sized_page
    page.goto("/dashboard/#/login")
    page.click("#toggle-register")
    page.fill("input[name=username]", f"oncall{uuid.uuid4().hex[:8]}")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/dashboard/#/kb")

    page.set_input_files("#upload-files", str(RUNBOOK))
    expect(page.locator("#upload-queue li.done")).to_have_count(1)
    expect(page.locator("#documents .badge-indexed")).to_have_count(1, timeout=90_000)
    _fits_the_screen(page)

    page.click("#nav a[data-section=cases]")
    assert "browser extension" not in page.inner_text("main")  # no dead end: cases are opened right here
    page.fill("#new-case-title", "Checkout returns 503")
    page.fill("#new-case-description", "eu-west customers cannot pay")
    _fits_the_screen(page)
    page.click("#new-case-submit")
    page.wait_for_url("**/dashboard/#/cases/case*")
    page.wait_for_selector("#composer")
    _fits_the_screen(page)

    _send(page, "checkout returns 503 errors since 09:10",
          paste="$ kubectl get pods -n shop\ncheckout-7d9 0/1 CrashLoopBackOff")
    expect(page.locator("#confirm-yes")).to_be_visible()
    assert "[✅ Yes]" not in page.inner_text("#transcript")  # the prompt is buttons, not dead text
    assert "CrashLoopBackOff" in page.inner_text("#transcript")
    shot(page, f"10-investigate-proposal-{size}")
    _click_turn_button(page, "#confirm-yes")
    expect(page.locator("h1 + p .badge-investigating, .title-row + p .badge-investigating")).to_have_count(1)

    _send(page, "only eu-west users, 30% of requests - we deployed v2.3 at 09:05",
          file={"name": "api.log", "mimeType": "text/plain", "buffer": _log()})
    expect(page.locator("#evidence .evidence-item")).to_have_count(1)
    assert "api.log" in page.inner_text("#evidence")
    _fits_the_screen(page)
    shot(page, f"11-investigate-hypotheses-{size}")

    _click_turn_button(page, "#hypotheses button[data-action=validate]")
    expect(page.locator("#hypotheses .column-validated .hyp")).to_have_count(1)
    _send(page, "we rolled back to v2.2 at 09:40 and checkout recovered")  # the fix, in the engineer's words
    expect(page.locator("#confirm-yes")).to_be_visible()  # the copilot proposes the resolution
    _click_turn_button(page, "#confirm-yes")

    expect(page.locator(".title-row + p .badge-resolved")).to_have_count(1)
    expect(page.locator("#reports .report").first).to_be_visible()
    assert "resolution" in page.inner_text("#reports").lower()
    assert "rolled back to v2.2" in page.inner_text("#reports")  # the report carries the fix the engineer stated
    assert page.locator("#composer").count() == 0  # a resolved case takes no more turns
    _fits_the_screen(page)
    shot(page, f"12-investigate-resolved-{size}")
