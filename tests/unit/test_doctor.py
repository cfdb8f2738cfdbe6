"""`faultmaven doctor` on a real data dir: data dir, keys, the model endpoint (a real HTTP server, then a closed
port), knowledge-base counts by scope and status, and the capabilities a client will read."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container
from local.cli import main
from tests.conftest import SignedIn
from tests.support.openai_server import OpenAIReplayServer


def _doctor(capsys: pytest.CaptureFixture[str], data_dir: Path) -> tuple[int, str]:
    code = main(["doctor", "--data-dir", str(data_dir)])
    return code, capsys.readouterr().out


def test_a_fresh_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FM_LLM_PROVIDER", "none")
    code, out = _doctor(capsys, tmp_path / "nothing-yet")
    assert code == 0 and "does not exist yet" in out and "none configured" in out
    assert not (tmp_path / "nothing-yet").exists()  # doctor changes nothing
    assert '  deploymentMode: "self-hosted"' in out and "maxFileBytes" in out


def test_a_used_data_dir(client: TestClient, container: Container, alice: SignedIn,
                         capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    r = client.post("/api/v1/knowledge/documents", headers=alice.headers,
                    files={"file": ("a.md", b"# A\nsome runbook text\n")})
    assert r.status_code in (201, 202), r.text
    data = container.settings.data_dir
    with OpenAIReplayServer() as server:
        monkeypatch.setenv("FM_LLM_PROVIDER", "openai")
        monkeypatch.setenv("FM_LLM_MODEL", server.model)
        monkeypatch.setenv("FM_LLM_BASE_URL", server.base_url)
        code, out = _doctor(capsys, data)
    assert code == 0, out
    assert f"ok    data dir: {data.resolve()} (writable, database" in out
    assert "ok    signing key: " in out and "(mode 600)" in out
    assert "ok    language model: openai replay-model" in out and "reachable (HTTP 200)" in out
    assert "knowledge base, personal: 1 " in out and "no global documents" in out
    assert '"configured": true, "provider": "openai"' in out

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("FM_LLM_BASE_URL", f"http://127.0.0.1:{port}/v1")
    code, out = _doctor(capsys, data)
    assert code == 1 and "FAIL  language model" in out and "not reachable" in out and "1 problem(s)" in out
