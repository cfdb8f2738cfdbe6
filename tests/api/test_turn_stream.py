"""The streamed turn over real HTTP: stages, evidence analysed and knowledge found as events, then the answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import sign_up
from tests.support.live_server import LiveServer

LOG = "\n".join(f"2026-11-25 09:10:{i:02d} ERROR dial tcp: lookup api.internal: no such host"
                for i in range(40)).encode()


@pytest.fixture
def http(tmp_path: Path) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    settings = Settings(mode="embedded", data_dir=tmp_path / "d")
    set_container(Container(settings))
    try:
        with LiveServer(build_app(settings)) as server, httpx.Client(base_url=server.base_url, timeout=60) as c:
            yield c, sign_up(c, "streamer").headers  # type: ignore[arg-type]
    finally:
        set_container(None)


def _events(client: httpx.Client, path: str, headers: dict[str, str], **kw: object) -> list[tuple[str, dict]]:
    events = []
    with client.stream("POST", path, headers=headers, **kw) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    return events


def test_a_streamed_turn_reports_its_progress_then_answers(http: tuple[httpx.Client, dict[str, str]]) -> None:
    client, headers = http
    case_id = client.post("/api/v1/cases", json={}, headers=headers).json()["case_id"]
    events = _events(client, f"/api/v1/cases/{case_id}/turns/stream", headers,
                     data={"query": "checkout fails since 09:10"}, files={"files": ("app.log", LOG, "text/plain")})
    names = [n for n, _ in events]
    stages = [d["stage"] for n, d in events if n == "stage"]
    assert stages == ["queued", "started", "evidence_analysed", "decided", "saving"]
    assert names.index("evidence") < names.index("knowledge") < names.index("answer") == len(names) - 1
    evidence = next(d for n, d in events if n == "evidence")
    assert evidence["filename"] == "app.log" and evidence["error_count"] == 40
    answer = events[-1][1]
    assert answer["turn_number"] == 1 and isinstance(answer["agent_response"], str)
    # searched False: the caller can see no indexed document at all
    assert next(d for n, d in events if n == "knowledge") == {"searched": False, "hits": []}

    assert client.get("/api/v1/meta/capabilities").json()["features"]["turnStream"] is True
    plain = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "yes"}, headers=headers)
    assert plain.status_code == 200 and plain.json()["turn_number"] == 2  # the JSON turn is unchanged


def test_a_refused_turn_streams_its_error(http: tuple[httpx.Client, dict[str, str]]) -> None:
    client, headers = http
    case_id = client.post("/api/v1/cases", json={}, headers=headers).json()["case_id"]
    events = _events(client, f"/api/v1/cases/{case_id}/turns/stream", headers, data={"query": ""})
    assert events[-1] == ("error", {"detail": "a turn needs a query, pasted_content or a file", "code": "EMPTY_TURN",
                                    "status": 400})
    missing = client.post("/api/v1/cases/case_nope/turns/stream", data={"query": "x"}, headers=headers)
    assert missing.status_code == 404
