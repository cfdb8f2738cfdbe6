"""The issue's proof: two users of one team work one case from two sessions at once, over real HTTP, on both
storage adapters. Every turn is answered (a busy case is retried as the client does on 409 CASE_BUSY), numbered
once and in order, and stored with its author; nothing is lost."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from faultmaven.container import Container
from local.server import build_app
from tests.conftest import SignedIn, sign_up
from tests.support.live_server import LiveServer
from tests.support.turn_worker import queue_worker

QUERIES = {"alice": ("checkout returns 503 errors since 09:10", "we deployed v2.3 at 09:05"),
           "bob": ("only eu-west users see it, 30% of requests", "pods restart with OOMKilled")}


def _send(base_url: str, who: SignedIn, case_id: str, query: str) -> httpx.Response:
    headers = {**who.headers, "X-Session-Id": who.session_id}
    with httpx.Client(base_url=base_url, timeout=120) as http:
        for _ in range(60):
            r = http.post(f"/api/v1/cases/{case_id}/turns", data={"query": query}, headers=headers)
            if r.status_code != 409:
                return r
            assert r.json()["code"] in ("CASE_BUSY", "STALE_TURN"), r.text
            time.sleep(float(r.headers.get("Retry-After", "1")) / 4)
    raise AssertionError("the case stayed busy")


def test_two_team_members_work_one_case_from_two_sessions(any_container: Container) -> None:
    with queue_worker(any_container), LiveServer(build_app(any_container.settings)) as server, \
            httpx.Client(base_url=server.base_url, timeout=60) as http:
        alice, bob = sign_up(http, "alice"), sign_up(http, "bob")  # type: ignore[arg-type]
        assert alice.session_id != bob.session_id
        team = http.post("/api/v1/teams", json={"name": "On-call"}, headers=alice.headers).json()["team_id"]
        offer = http.post(f"/api/v1/teams/{team}/invitations", json={"username": "bob"}, headers=alice.headers)
        assert http.post(f"/api/v1/invitations/{offer.json()['invitation_id']}/accept",
                         headers=bob.headers).status_code == 200
        case_id = http.post("/api/v1/cases", json={"title": "Checkout down"}, headers=alice.headers).json()["case_id"]
        assert http.post(f"/api/v1/cases/{case_id}/team-shares", json={"team_id": team},
                         headers=alice.headers).status_code == 201

        jobs = [(who, q) for name, who in (("alice", alice), ("bob", bob)) for q in QUERIES[name]]
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            answers = list(pool.map(lambda job: _send(server.base_url, job[0], case_id, job[1]), jobs))
        assert all(r.status_code == 200 for r in answers), [r.text for r in answers]
        numbers = sorted(r.json()["turn_number"] for r in answers)
        assert numbers == list(range(1, len(jobs) + 1))  # distinct, gap-free: nothing lost or doubled

        for who in (alice, bob):  # both see the whole conversation
            messages = http.get(f"/api/v1/cases/{case_id}/messages?limit=100", headers=who.headers).json()
            assert messages["total_count"] == 2 * len(jobs)
        users = [m for m in messages["messages"] if m["role"] == "user"]
        by_author = {(m["author_name"], m["content"]) for m in users}
        assert by_author == {(name, q) for name in QUERIES for q in QUERIES[name]}
        assert {m["author_id"] for m in users} == {alice.user_id, bob.user_id}
        case = http.get(f"/api/v1/cases/{case_id}", headers=bob.headers).json()
        assert case["current_turn"] == len(jobs)
