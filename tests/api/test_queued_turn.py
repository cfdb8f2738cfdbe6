"""A turn that is still queued when the synchronous window ends answers 202 and still runs: the request's timeout
must not cancel the job (it used to, and polling then failed with a 500)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import sign_up


def test_a_queued_turn_runs_after_its_202(tmp_path: Path) -> None:
    settings = Settings(mode="embedded", data_dir=tmp_path / "d", turn_sync_seconds=0.0)
    container = Container(settings)
    set_container(container)
    release = threading.Event()
    try:
        with TestClient(build_app(settings)) as client:
            who = sign_up(client, "queued")
            case_id = client.post("/api/v1/cases", json={"description": "x"}, headers=who.headers).json()["case_id"]
            # Every worker busy: the turn below waits in the queue when its zero-second window ends.
            blockers = [container.turn_jobs.submit("someone", "case_x", lambda: release.wait(10) and {})[1]
                        for _ in range(8)]
            r = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "pods crashlooping"},
                            headers=who.headers)
            assert r.status_code == 202, r.text
            release.set()
            for blocker in blockers:
                blocker.result(timeout=10)
            for _ in range(200):
                poll = client.get(r.headers["Location"], headers=who.headers)
                if poll.status_code == 200:
                    break
                time.sleep(0.05)
            assert poll.status_code == 200, poll.text
            assert poll.json()["status"] == "completed" and poll.json()["result"]["turn_number"] == 1
    finally:
        release.set()
        set_container(None)
