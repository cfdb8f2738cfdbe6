"""`faultmaven kb`: add folders, search, list and delete, on an embedded data dir (real ONNX model, loaded once)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.knowledge import onnx_embedder
from local.cli import main
from tests.conftest import SignedIn


@pytest.fixture(scope="module")
def model() -> onnx_embedder.OnnxMiniLmEmbedder:
    embedder = onnx_embedder.OnnxMiniLmEmbedder()
    embedder.load()
    return embedder


@pytest.fixture(autouse=True)
def _one_model(monkeypatch: pytest.MonkeyPatch, model: onnx_embedder.OnnxMiniLmEmbedder) -> None:
    monkeypatch.setattr(onnx_embedder, "OnnxMiniLmEmbedder", lambda **_: model)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "runbooks"
    (root / "network").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "etcd.md").write_text("# etcd slow\n\n## Diagnosis\nLeader elections keep happening; disk fsync is slow.\n")
    (root / "network" / "dns.txt").write_text("CoreDNS pods return SERVFAIL for cluster.local names.\n")
    (root / "network" / "diagram.png").write_bytes(b"\x89PNG\r\n")
    (root / ".git" / "HEAD.md").write_text("ref: refs/heads/main\n")
    return root


def kb(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["kb", *args, "--data-dir", str(data_dir)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_add_search_delete_gone(tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    code, out = kb(capsys, data, "add", str(folder))
    assert code == 0
    assert "indexed 2, duplicate 0, failed 0, skipped 1 (unsupported type)" in out
    assert re.search(r"embedding: 100%.*\| 2/2 ", out)  # the chunk bar: both files' chunks, all embedded
    code, out = kb(capsys, data, "add", str(folder / "etcd.md"))
    assert "indexed 0, duplicate 1, failed 0" in out

    code, out = kb(capsys, data, "search", "leader election disk latency", "-k", "1")
    assert code == 0
    assert out.startswith("1. etcd slow")
    assert f"{folder / 'etcd.md'} > Diagnosis" in out
    assert "**Leader**" in out  # not a terminal: matches are marked with **

    document_id = re.search(r"doc_[0-9a-f]+", out).group(0)
    code, out = kb(capsys, data, "delete", document_id)
    assert (code, out.strip()) == (0, f"deleted {document_id}")
    code, out = kb(capsys, data, "search", "leader election disk latency")
    assert "etcd slow" not in out
    code, out = kb(capsys, data, "list")
    assert "1 document(s)" in out and "dns" in out


def test_failures_are_summarised_and_set_the_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing readable")
    code, out = kb(capsys, tmp_path / "data", "add", str(bad))
    assert code == 1
    assert "indexed 0, duplicate 0, failed 1" in out and "scan.pdf" in out


def test_the_cli_acts_as_an_api_user_by_name(client: TestClient, alice: SignedIn, capsys: pytest.CaptureFixture[str],
                                             model: onnx_embedder.OnnxMiniLmEmbedder) -> None:
    from faultmaven.container import get_container

    get_container().__dict__["embedder"] = model
    r = client.post("/api/v1/knowledge/documents?wait=true", headers=alice.headers,
                    files={"file": ("pg.md", b"# Postgres\nToo many connections; raise max_connections.")},
                    data={"title": "Postgres connections", "document_type": "runbook"})
    assert r.json()["status"] == "indexed"
    data = get_container().settings.data_dir  # the server's data dir, which the CLI opens directly
    _, out = kb(capsys, data, "search", "too many connections", "--user", "alice")
    assert "Postgres connections" in out
    # One score scale: the CLI prints the number the API (and so the dashboard) shows, to two decimals.
    [hit] = client.post("/api/v1/knowledge/search", headers=alice.headers,
                        json={"query": "too many connections"}).json()["results"]
    assert hit["score"] == hit["similarity_score"] and 0 < hit["score"] <= 1
    assert f"[{hit['score']:.2f} · personal" in out
    _, out = kb(capsys, data, "search", "too many connections")  # the default `cli` user: not alice's document
    assert "Postgres connections" not in out


def test_kb_add_files_globally_for_every_user_and_the_copilot(client: TestClient, alice: SignedIn,
                                                               capsys: pytest.CaptureFixture[str], folder: Path,
                                                               model: onnx_embedder.OnnxMiniLmEmbedder) -> None:
    from faultmaven.container import get_container

    get_container().__dict__["embedder"] = model
    case_id = client.post("/api/v1/cases", json={"description": "etcd"}, headers=alice.headers).json()["case_id"]

    def turn(query: str) -> str:
        r = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": query}, headers=alice.headers)
        assert r.status_code == 200, r.text
        return r.json()["agent_response"]

    # Nothing alice can see: the copilot says so plainly.
    assert "knowledge base is empty" in turn("etcd leader elections keep happening")

    data = get_container().settings.data_dir
    code, out = kb(capsys, data, "add", str(folder / "etcd.md"))
    assert code == 0 and "as user 'cli' to the global scope" in out
    found = client.get("/api/v1/knowledge/documents", headers=alice.headers).json()
    assert [d["scope"] for d in found["documents"]] == ["global"]  # alice sees what the CLI added
    assert "knowledge base is empty" not in turn("leader elections keep happening, disk fsync is slow")

    code, out = kb(capsys, data, "add", str(folder / "network"), "--scope", "personal", "--user", "alice")
    assert code == 0 and "as user 'alice' to the personal knowledge base of 'alice'" in out


def test_reindex_after_a_model_change_then_nothing_to_do(tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert kb(capsys, data, "add", str(folder))[0] == 0
    code, out = kb(capsys, data, "reindex")
    first_model = onnx_embedder.MODEL_ID
    assert (code, out.strip()) == (0, f"nothing to re-index: 2 chunk(s) already use {first_model}")
    monkeypatch.setattr(onnx_embedder, "MODEL_ID", "sentence-transformers/all-MiniLM-L6-v2:v2")  # a new model
    code, out = kb(capsys, data, "search", "leader election")
    assert code == 1 and "faultmaven kb reindex" in out and "Traceback" not in out
    code, out = kb(capsys, data, "reindex")
    assert code == 0 and f"re-indexing 2 chunk(s): {first_model} -> " in out
    assert "re-indexed 2 chunk(s) with sentence-transformers/all-MiniLM-L6-v2:v2" in out
    code, out = kb(capsys, data, "search", "leader election")
    assert code == 0 and out.startswith("1. etcd slow")
