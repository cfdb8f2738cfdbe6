"""Turns sent at once to one case, over real HTTP: they run one after another (the case's lease), each numbered
after the last, each with its two transcript messages; a turn that cannot get the case in time is a clean 409."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import sign_up
from tests.support.live_server import LiveServer

QUERIES = ("checkout returns 503 errors since 09:10", "only eu-west users see it, 30% of requests",
           "we deployed v2.3 at 09:05", "pods restart with OOMKilled")


def _round(base_url: str, headers: dict[str, str], case_id: str) -> list[httpx.Response]:
    def send(query: str) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            return http.post(f"/api/v1/cases/{case_id}/turns", data={"query": query}, headers=headers)

    with ThreadPoolExecutor(max_workers=len(QUERIES)) as pool:
        return list(pool.map(send, QUERIES))


def test_two_rounds_of_four_simultaneous_turns_on_one_case(tmp_path: Path) -> None:
    settings = Settings(mode="embedded", data_dir=tmp_path / "d")
    set_container(Container(settings))
    try:
        with LiveServer(build_app(settings)) as server, httpx.Client(base_url=server.base_url, timeout=60) as http:
            headers = sign_up(http, "racer").headers  # type: ignore[arg-type]
            case_id = http.post("/api/v1/cases", json={}, headers=headers).json()["case_id"]
            answered: list[int] = []
            for _ in range(2):
                for r in _round(server.base_url, headers, case_id):
                    assert r.status_code in (200, 409), r.text
                    if r.status_code == 409:
                        assert r.json()["code"] == "CASE_BUSY" and int(r.headers["Retry-After"]) >= 1
                    else:
                        answered.append(r.json()["turn_number"])
            assert sorted(answered) == list(range(1, len(answered) + 1)), answered  # distinct and gap-free
            assert len(answered) >= 2
            case = http.get(f"/api/v1/cases/{case_id}", headers=headers).json()
            assert case["current_turn"] == len(answered)
            messages = http.get(f"/api/v1/cases/{case_id}/messages?limit=100", headers=headers).json()["messages"]
            per_turn = {n: [m["role"] for m in messages if m["turn_number"] == n] for n in answered}
            assert all(roles == ["user", "assistant"] for roles in per_turn.values()), per_turn
            assert len(messages) == 2 * len(answered)
    finally:
        set_container(None)


def test_a_turn_that_cannot_get_the_case_in_time_is_a_409(tmp_path: Path) -> None:
    settings = Settings(mode="embedded", data_dir=tmp_path / "d", turn_wait_seconds=0.0)
    container = Container(settings)
    set_container(container)
    try:
        with LiveServer(build_app(settings)) as server, httpx.Client(base_url=server.base_url, timeout=60) as http:
            who = sign_up(http, "racer")  # type: ignore[arg-type]
            headers = who.headers
            case_id = http.post("/api/v1/cases", json={}, headers=headers).json()["case_id"]
            user_id = who.user_id
            with container.case_service.turn_lease(user_id, case_id, hold_seconds=30, wait_seconds=0):
                busy = http.post(f"/api/v1/cases/{case_id}/turns", data={"query": "still down"}, headers=headers)
            assert busy.status_code == 409 and busy.json()["code"] == "CASE_BUSY"
            assert busy.headers["Retry-After"] == "2"
            after = http.post(f"/api/v1/cases/{case_id}/turns", data={"query": "still down"}, headers=headers)
            assert after.status_code == 200 and after.json()["turn_number"] == 1
    finally:
        set_container(None)
