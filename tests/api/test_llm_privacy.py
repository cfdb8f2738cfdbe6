"""No planted secret reaches a model: every field a client can send, over real HTTP, for all three request shapes.

A case is driven through the HTTP API with a recording server as the model (OpenAI-compatible, Anthropic Messages,
Bedrock Converse through botocore): secrets are planted in the title, description, initial message, queries, pasted
text, a page capture, a file's content and its name, intent data, a case edit and a search; the case goes through
several turns, a fresh sign-in that resumes it, a close and its reports. No planted value may appear in any recorded
request body, raw or JSON-escaped, and none may be stored in the case's own texts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app
from tests.conftest import PASSWORD, SignedIn, sign_up
from tests.support.recording_llm import RecordingLLMServer

GITHUB = "ghp_" + "R7dk2LmQ9vXw4ZpT8sNc3YbH6gJf1KaE5uWo"
SLACK = "xoxb-2048719234-Xq7RmK2pLz9W"
PLANTED = {
    "title": "TitlePw-93kqZ",
    "description": GITHUB,
    "initial_message": "InitPw-7731x",
    "query": "AKIAQ3EXAMPLE7WXYZ12",
    "pasted": "PastePw_55sXk",
    "page_capture_email": "jane.doe@example.com",
    "page_capture_card": "4111 1111 1111 1111",
    "file_content": "FileTok-8h2Kq9Lm3Np7Rs4T",
    "file_name": SLACK,
    "intent_data": "IntentSecret7781xq",
    "update": "UpdTok-99812345zz",
    "search": "SearchPw-771aa",
    "resumed": "ResumePw-4420b",
    "pgpassword": "PgShellPw-31k",
    "mysql": "MyCliPw9931",
    "curl": "CurlPw-66q1",
    "pgpass": "PgpassPw-204",
}
ANSWER = {"reply": "Check the connection pool and the credentials in {{REDACTED:password}}.",
          "hypotheses": ["pool exhausted"], "commands": [{"label": "pool", "command": "pg_stat_activity"}]}
LOG = ("2026-11-25 09:10:01 ERROR pool: auth failed for app, token=" + PLANTED["file_content"] + "\n"
       + "".join(f"2026-11-25 09:10:{i:02d} ERROR pool: connection refused after {i} ms\n" for i in range(2, 40)))


def _settings(provider: str, server: RecordingLLMServer, data_dir: Path) -> Settings:
    base = {"openai": server.url + "/v1", "anthropic": server.url, "bedrock": server.url}[provider]
    return Settings(mode="embedded", data_dir=data_dir, llm_provider=provider, llm_model="recorder",
                    llm_base_url=base, llm_api_key="sk-test-key-not-a-secret-under-test", llm_timeout_seconds=5,
                    llm_max_retries=0)


def _turn(client: TestClient, who: SignedIn, case_id: str, files=None, **form: str) -> dict:
    r = client.post(f"/api/v1/cases/{case_id}/turns", data=form, headers=who.headers,
                    files={"files": files} if files else None)
    assert r.status_code == 200, r.text
    return r.json()


def _leaks(text: str) -> list[str]:
    """Names of planted values found in `text`, raw or as they would look inside a JSON string."""
    return [name for name, value in PLANTED.items() if value in text or json.dumps(value)[1:-1] in text]


@pytest.mark.parametrize("provider", ["openai", "anthropic", "bedrock"])
def test_no_planted_secret_reaches_the_model(provider: str, tmp_path: Path, monkeypatch) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing"}.items():
        monkeypatch.setenv(name, value)
    with RecordingLLMServer(ANSWER) as server:
        settings = _settings(provider, server, tmp_path / "data")
        set_container(Container(settings))
        try:
            with TestClient(build_app(settings)) as client:
                owner = sign_up(client, "privacy-owner")
                created = client.post("/api/v1/cases", headers=owner.headers, json={
                    "title": f"checkout down, db password={PLANTED['title']}",
                    "description": f"deploy token {PLANTED['description']} rotated yesterday",
                    "initial_message": f"DSN postgres://app:{PLANTED['initial_message']}@db.example.com:5432/shop"})
                assert created.status_code == 201, created.text
                case_id = created.json()["case_id"]
                _turn(client, owner, case_id, query=f"checkout 503 since 09:10, key {PLANTED['query']}")
                _turn(client, owner, case_id, query="pasted config", pasted_content=(
                    f"spring.datasource.password={PLANTED['pasted']}\nexport PGPASSWORD={PLANTED['pgpassword']}\n"
                    f"mysql -u root -p{PLANTED['mysql']} shop\n"
                    f"curl -u deploy:{PLANTED['curl']} https://ci.example.com/api\n"
                    f"db.example.com:5432:shop:app:{PLANTED['pgpass']}"))
                _turn(client, owner, case_id, input_type="page_capture", source_url="https://status.example.com",
                      pasted_content=f"Contact {PLANTED['page_capture_email']} card {PLANTED['page_capture_card']}")
                _turn(client, owner, case_id, query="here is the pool log",
                      files=(f"pool-{PLANTED['file_name']}.log", LOG.encode(), "text/plain"))
                _turn(client, owner, case_id, query="", intent_type="confirmation",
                      intent_data=json.dumps({"decision": "yes", "note": f"client_secret={PLANTED['intent_data']}"}))
                edited = client.put(f"/api/v1/cases/{case_id}", headers=owner.headers,
                                    json={"description": f"api_key: {PLANTED['update']}"})
                assert edited.status_code == 200, edited.text
                searched = client.post("/api/v1/cases/search", headers=owner.headers,
                                       json={"query": f"password={PLANTED['search']}"})
                assert searched.status_code == 200, searched.text

                # A fresh sign-in resumes the case: the transcript (initial message included) is replayed.
                login = client.post("/api/v1/auth/login", json={"username": owner.username, "password": PASSWORD})
                again = SignedIn(owner.user_id, owner.username, login.json()["access_token"],
                                 login.json()["refresh_token"], login.json()["session_id"])
                _turn(client, again, case_id, query=f"still failing; new db_password: {PLANTED['resumed']}")
                assert client.post(f"/api/v1/cases/{case_id}/close", headers=again.headers).status_code == 200
                reports = client.get(f"/api/v1/cases/{case_id}/reports", headers=again.headers)
                assert reports.status_code == 200 and reports.json()["reports"]

                stored = [client.get(f"/api/v1/cases/{case_id}", headers=again.headers).text,
                          client.get(f"/api/v1/cases/{case_id}/messages?limit=100", headers=again.headers).text,
                          reports.text]
        finally:
            set_container(None)
    assert len(server.raw) >= 5, server.paths  # every turn asked the model
    expected_path = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages",
                     "bedrock": "/model/recorder/converse"}[provider]
    assert set(server.paths) == {expected_path}
    assert "{{REDACTED:" in "".join(server.raw)
    leaked = {name for body in server.raw for name in _leaks(body)}
    assert not leaked, f"reached the model: {sorted(leaked)}"
    stored_leaks = {name for text in stored for name in _leaks(text)} - {"search"}
    assert not stored_leaks, f"stored in the case: {sorted(stored_leaks)}"


def test_stored_analyses_are_sanitized_and_the_raw_file_is_the_owners_only(client: TestClient) -> None:
    """A template's example line (served by /evidence and drawn as a dashboard chart label) never holds a secret;
    the owner's download of the file is the file as uploaded."""
    owner = sign_up(client, "analyses-owner")
    case_id = client.post("/api/v1/cases", headers=owner.headers, json={"title": "auth"}).json()["case_id"]
    log = "".join(f"2026-11-25 09:10:{i:02d} ERROR db: login failed password={PLANTED['file_content']} "
                  f"user {PLANTED['page_capture_email']}\n" for i in range(30)).encode()
    up = client.post(f"/api/v1/cases/{case_id}/uploaded-files", headers=owner.headers,
                     files={"file": ("db.log", log, "text/plain")})
    assert up.status_code == 201, up.text
    file_id = up.json()["file_id"]
    served = [client.get(f"/api/v1/cases/{case_id}/evidence", headers=owner.headers).text,
              client.get(f"/api/v1/cases/{case_id}/uploaded-files/{file_id}", headers=owner.headers).text,
              client.get(f"/api/v1/cases/{case_id}/uploaded-files", headers=owner.headers).text]
    assert "{{REDACTED:" in served[0] and "example" in served[0]
    assert not {name for text in served for name in _leaks(text)}
    raw = client.get(f"/api/v1/cases/{case_id}/uploaded-files/{file_id}/content", headers=owner.headers)
    assert raw.status_code == 200 and raw.content == log
    other = sign_up(client, "analyses-other")
    assert client.get(f"/api/v1/cases/{case_id}/uploaded-files/{file_id}/content",
                      headers=other.headers).status_code == 404
