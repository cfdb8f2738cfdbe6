"""The OpenAI-compatible replay server used by flow tests: selection order, recordings, simulated failures."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.openai_server import OpenAIReplayServer, Reply

RECORDING = Path(__file__).parents[1] / "fixtures" / "llm" / "replay_triage.json"


def chat(server: OpenAIReplayServer, text: str) -> httpx.Response:
    return httpx.post(f"{server.base_url}/chat/completions", timeout=5,
                      json={"model": "any", "messages": [{"role": "system", "content": "502 in the rules"},
                                                         {"role": "user", "content": text}]})


@pytest.fixture
def server():
    with OpenAIReplayServer(recording=RECORDING) as s:
        yield s


def test_models_lists_the_recorded_model(server):
    body = httpx.get(f"{server.base_url}/models", timeout=5).json()
    assert body["data"][0]["id"] == "replay-triage"


def test_matches_the_last_user_message_only(server):
    answer = chat(server, "Pods are OOMKilled again").json()
    assert answer["object"] == "chat.completion"
    assert '"phase": "timeline"' in answer["choices"][0]["message"]["content"]
    assert answer["usage"]["total_tokens"] > 0
    assert chat(server, "nothing relevant").status_code == 404  # "502" in the system prompt does not count


def test_scripted_replies_come_first_in_order(server):
    server.enqueue(Reply.text("one"), Reply.rate_limited(retry_after=3), Reply.garbage("not json"))
    assert chat(server, "hello").json()["choices"][0]["message"]["content"] == "one"
    limited = chat(server, "hello")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
    garbage = chat(server, "hello")
    assert garbage.status_code == 200 and garbage.text == "not json"
    assert chat(server, "hello").json()["choices"][0]["message"]["content"].startswith("Hello.")
    assert [r["messages"][-1]["content"] for r in server.requests] == ["hello"] * 4


def test_responder_and_default_are_the_last_resort():
    def echo(body: dict) -> Reply | None:
        last = body["messages"][-1]["content"]
        return Reply.text(f"echo: {last}") if "echo" in last else None

    with OpenAIReplayServer(responder=echo, default=Reply.error(503)) as s:
        assert chat(s, "echo [IP_1]").json()["choices"][0]["message"]["content"] == "echo: echo [IP_1]"
        assert chat(s, "other").status_code == 503


def test_slow_reply_times_out_the_client_and_stop_does_not_hang():
    with OpenAIReplayServer() as s:
        s.enqueue(Reply.text("late").slow(30))
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{s.base_url}/chat/completions", json={"messages": []}, timeout=0.3)


def test_unknown_paths_and_bad_bodies_are_client_errors(server):
    assert httpx.post(f"{server.base_url}/completions", json={}, timeout=5).status_code == 404
    bad = httpx.post(f"{server.base_url}/chat/completions", content=b"{", timeout=5)
    assert bad.status_code == 400
