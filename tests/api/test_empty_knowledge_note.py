"""With a model writing the reply, the caller still hears plainly that their knowledge base is empty."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import sign_up
from tests.support.openai_server import OpenAIReplayServer, Reply


def test_a_model_reply_says_the_knowledge_base_is_empty(tmp_path: Path) -> None:
    with OpenAIReplayServer() as server:
        server.on("disk", Reply.json({"reply": "Look at the disk usage of node-3.", "hypotheses": [], "commands": []}))
        settings = Settings(mode="embedded", data_dir=tmp_path / "d", llm_provider="openai", llm_model=server.model,
                            llm_base_url=server.base_url, llm_timeout_seconds=5, llm_max_retries=0)
        set_container(Container(settings))
        try:
            with TestClient(build_app(settings)) as client:
                who = sign_up(client, "nokb")
                case_id = client.post("/api/v1/cases", json={"description": "x"}, headers=who.headers).json()["case_id"]
                r = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "disk full on node-3"},
                                headers=who.headers)
                body = r.json()
                assert r.status_code == 200 and body["llm_used"] is True, r.text
                assert "disk usage of node-3" in body["agent_response"]
                assert "knowledge base is empty" in body["agent_response"]
        finally:
            set_container(None)
