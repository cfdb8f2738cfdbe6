"""The knowledge routes end to end on the embedded app, with the real ONNX embedder (loaded once per module)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from faultmaven.auth.passwords import hash_password
from faultmaven.clock import iso, new_id, now
from faultmaven.container import Container
from faultmaven.ports.users import UserRecord
from tests.conftest import PASSWORD, SignedIn
from tests.support.shared_embedder import _shared_embedder, embedder  # noqa: F401 (fixtures)

RUNBOOK = (b"# Kafka consumer lag\n\n## Symptoms\nConsumers fall behind; the lag keeps growing on every partition.\n\n"
           b"## Remediation\nScale the consumer group and check for rebalancing storms.\n")
QUERY = "consumers falling behind on partitions"


def sign_in_with_roles(client: TestClient, container: Container, username: str, roles: list[str]) -> SignedIn:
    container.users.create(UserRecord(user_id=new_id("user_"), username=username, email=f"{username}@example.com",
                                      display_name=username, password_hash=hash_password(PASSWORD), roles=roles,
                                      created_at=iso(now())))
    body = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}).json()
    return SignedIn(body["user"]["user_id"], username, body["access_token"], body["refresh_token"],
                    body["session_id"])


@pytest.fixture
def admin(client: TestClient, container: Container) -> SignedIn:
    return sign_in_with_roles(client, container, "root", ["user", "admin"])


def upload(client: TestClient, who: SignedIn, data: bytes = RUNBOOK, name: str = "kafka.md",
           path: str = "/api/v1/knowledge/documents", wait: bool = True, **form: str):
    form.setdefault("title", "Kafka lag runbook")
    form.setdefault("document_type", "runbook")
    return client.post(f"{path}?wait={str(wait).lower()}", headers=who.headers, files={"file": (name, data)},
                       data=form)


def search(client: TestClient, who: SignedIn, query: str = QUERY, path: str = "/api/v1/knowledge/search", **body):
    r = client.post(path, headers=who.headers, json={"query": query, **body})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_upload_indexed_search_delete_gone(client: TestClient, alice: SignedIn) -> None:
    r = upload(client, alice, tags="kafka,lag")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["status"], doc["scope"], doc["tags"], doc["owner_id"]) == ("indexed", "personal", ["kafka", "lag"],
                                                                            alice.user_id)
    assert doc["chunk_count"] >= 2
    results = search(client, alice)
    assert results[0]["document_id"] == doc["document_id"]
    assert results[0]["title"] == "Kafka lag runbook" and results[0]["scope"] == "personal"
    assert results[0]["heading_path"] in (["Symptoms"], ["Remediation"])
    assert "<mark>" in results[0]["snippet"] and 0 < results[0]["similarity_score"] <= 1
    full = client.get(f"/api/v1/knowledge/documents/{doc['document_id']}", headers=alice.headers).json()
    assert full["content"] == RUNBOOK.decode() and full["content_truncated"] is False
    assert client.delete(f"/api/v1/knowledge/documents/{doc['document_id']}", headers=alice.headers).status_code == 204
    assert search(client, alice) == []
    assert client.get(f"/api/v1/knowledge/documents/{doc['document_id']}", headers=alice.headers).status_code == 404


def test_upload_answers_at_once_with_pending_status(client: TestClient, alice: SignedIn) -> None:
    r = upload(client, alice, wait=False)
    assert r.status_code == 201 and r.json()["status"] in ("pending", "indexed")


def test_reupload_is_flagged_as_duplicate(client: TestClient, alice: SignedIn) -> None:
    first = upload(client, alice).json()
    again = upload(client, alice, name="copy.md", path="/api/v1/documents/upload")
    assert again.status_code == 200
    assert (again.json()["duplicate"], again.json()["duplicate_of"]) == (True, first["document_id"])


def test_one_user_never_sees_anothers_personal_documents(client: TestClient, alice: SignedIn, bob: SignedIn,
                                                        admin: SignedIn) -> None:
    private = upload(client, alice).json()
    shared = upload(client, admin, data=b"Global guide: consumers falling behind on partitions.", name="g.txt",
                    title="Global lag guide", scope="global").json()
    assert shared["scope"] == "global"
    doc_url = f"/api/v1/knowledge/documents/{private['document_id']}"
    assert client.get(doc_url, headers=bob.headers).status_code == 404
    assert client.delete(doc_url, headers=bob.headers).status_code == 404
    assert client.put(doc_url, headers=bob.headers, json={"title": "mine now"}).status_code == 404
    listed = client.get("/api/v1/knowledge/documents", headers=bob.headers).json()
    assert [d["document_id"] for d in listed["documents"]] == [shared["document_id"]]
    assert {r["document_id"] for r in search(client, bob)} == {shared["document_id"]}
    assert {r["document_id"] for r in search(client, bob, path="/api/v1/knowledge/documents/search")} == {
        shared["document_id"]}
    assert client.get("/api/v1/documents", headers=bob.headers).json()["total_count"] == 0  # personal KB: own only
    assert {r["document_id"] for r in search(client, alice)} == {private["document_id"], shared["document_id"]}
    forbidden = client.delete(f"/api/v1/knowledge/documents/{shared['document_id']}", headers=alice.headers)
    assert forbidden.status_code == 403


def test_global_and_the_admin_kb_need_the_admin_role(client: TestClient, alice: SignedIn, admin: SignedIn) -> None:
    r = upload(client, alice, scope="global")
    assert (r.status_code, r.json()["code"]) == (403, "ADMIN_REQUIRED")
    assert upload(client, alice, path="/api/v1/admin/kb/documents").status_code == 403
    assert client.get("/api/v1/admin/kb/documents", headers=alice.headers).status_code == 403
    created = upload(client, admin, path="/api/v1/admin/kb/documents", scope="undefined")  # dashboard's FormData
    assert (created.status_code, created.json()["scope"]) == (201, "global")
    listed = client.get("/api/v1/admin/kb/documents", headers=admin.headers).json()
    assert [d["document_id"] for d in listed["documents"]] == [created.json()["document_id"]]
    assert listed["scope_counts"]["global"] == 1
    gone = client.delete(f"/api/v1/admin/kb/documents/{created.json()['document_id']}", headers=admin.headers)
    assert gone.status_code == 204


def test_personal_alias_lists_updates_and_bulk_deletes(client: TestClient, alice: SignedIn, bob: SignedIn) -> None:
    a = upload(client, alice, path="/api/v1/documents/upload", wait=False).json()
    b = upload(client, alice, data=b"second file", name="b.txt", path="/api/v1/documents", wait=False).json()
    theirs = upload(client, bob, data=b"bob's", name="c.txt", wait=False).json()
    page = client.get("/api/v1/documents?limit=1", headers=alice.headers).json()
    assert (page["total_count"], page["limit"], page["offset"], page["has_more"], len(page["documents"])) == (
        2, 1, 0, True, 1)
    edited = client.put(f"/api/v1/documents/{a['document_id']}", headers=alice.headers,
                        json={"tags": ["x", "y"], "description": "notes", "priority": "ignored"})
    assert edited.status_code == 200 and edited.json()["tags"] == ["x", "y"]
    r = client.post("/api/v1/knowledge/documents/bulk-delete", headers=alice.headers,
                    json={"document_ids": [a["document_id"], b["document_id"], theirs["document_id"]]})
    body = r.json()
    assert (body["deleted_count"], body["total_requested"]) == (2, 3)
    assert body["failed_ids"] == [theirs["document_id"]] and body["errors"][0]["code"] == "NOT_FOUND"
    assert client.get("/api/v1/documents", headers=alice.headers).json()["total_count"] == 0


def test_filters_stats_and_search_options(client: TestClient, alice: SignedIn) -> None:
    upload(client, alice, tags="kafka")
    upload(client, alice, data=b"# Postmortem\nConsumers fell behind on partitions after a deploy.", name="pm.md",
           title="Lag postmortem", document_type="postmortem")
    only_pm = client.get("/api/v1/knowledge/documents?document_type=postmortem", headers=alice.headers).json()
    assert [d["title"] for d in only_pm["documents"]] == ["Lag postmortem"]
    tagged = client.get("/api/v1/knowledge/documents?tags=kafka&status=indexed", headers=alice.headers).json()
    assert [d["title"] for d in tagged["documents"]] == ["Kafka lag runbook"]
    stats = client.get("/api/v1/knowledge/stats", headers=alice.headers).json()
    assert stats["total_documents"] == 2 and stats["by_type"] == {"runbook": 1, "postmortem": 1}
    assert stats["embedding_model"].startswith("sentence-transformers/all-MiniLM-L6-v2")
    results = search(client, alice, filters={"document_type": "postmortem"}, top_k=3, mode="vector")
    assert {r["document_type"] for r in results} == {"postmortem"}
    assert len(search(client, alice, limit=1)) == 1


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"name": "tool.exe", "data": b"MZ"}, 415, "UNSUPPORTED_FILE_TYPE"),
    ({"name": "empty.md", "data": b""}, 400, "EMPTY_FILE"),
    ({"name": "fake.pdf", "data": b"not a pdf"}, 415, "NOT_A_PDF"),
    ({"scope": "team"}, 400, "TEAM_REQUIRED"),
    ({"scope": "everyone"}, 400, "INVALID_SCOPE"),
    ({"tags": "[broken"}, 400, "INVALID_TAGS"),
])
def test_bad_uploads_answer_4xx(client: TestClient, alice: SignedIn, kwargs: dict, status: int, code: str) -> None:
    r = upload(client, alice, **kwargs)
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_size_limit_is_413(client: TestClient, container: Container, alice: SignedIn) -> None:
    big = b"x" * (container.settings.max_file_bytes + 1)
    r = upload(client, alice, data=big, name="big.txt")
    assert (r.status_code, r.json()["code"]) == (413, "FILE_TOO_LARGE")


def test_missing_parts_and_bad_requests(client: TestClient, alice: SignedIn) -> None:
    assert client.post("/api/v1/knowledge/documents", headers=alice.headers, data={"title": "t"}).status_code == 422
    assert client.post("/api/v1/knowledge/search", headers=alice.headers, json={"query": ""}).status_code == 422
    assert client.post("/api/v1/knowledge/search", headers=alice.headers,
                       json={"query": "x", "limit": 1000}).status_code == 422
    assert client.post("/api/v1/knowledge/documents/bulk-delete", headers=alice.headers,
                       json={"document_ids": []}).status_code == 422
    assert client.get("/api/v1/knowledge/documents").status_code == 401
    assert client.post("/api/v1/knowledge/search", json={"query": "x"}).status_code == 401


def test_reindex_after_the_embedding_model_changes(client: TestClient, container: Container, alice: SignedIn,
                                                    admin: SignedIn) -> None:
    import time

    import numpy as np

    from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex
    from faultmaven.ports.embedder import EmbeddingSpace

    assert upload(client, alice).status_code == 201

    class OtherModel:
        space = EmbeddingSpace(model_id="test/other-model", dim=8)

        def embed(self, texts: list[str]) -> np.ndarray:
            out = np.ones((len(texts), 8), np.float32)
            return out / np.linalg.norm(out, axis=1, keepdims=True)

    for name in ("knowledge", "reindexer", "ingestor", "ingestion"):
        container.__dict__.pop(name, None)
    container.__dict__["embedder"] = OtherModel()
    container.__dict__["vector_index"] = SqliteVectorIndex(container.db, OtherModel.space)
    mismatch = client.post("/api/v1/knowledge/search", headers=alice.headers, json={"query": QUERY})
    assert mismatch.status_code == 409 and mismatch.json()["code"] == "EMBEDDING_MODEL_MISMATCH"

    assert client.post("/api/v1/admin/kb/reindex", headers=alice.headers).status_code == 403
    before = client.get("/api/v1/admin/kb/reindex", headers=admin.headers).json()
    assert before["complete"] is False and before["done"] == 0 and before["total"] >= 2
    assert before["target_model"] == "test/other-model"
    started = client.post("/api/v1/admin/kb/reindex", headers=admin.headers)
    assert started.status_code == 202 and started.headers["location"] == "/api/v1/admin/kb/reindex"
    deadline = time.monotonic() + 30
    while not (state := client.get("/api/v1/admin/kb/reindex", headers=admin.headers).json())["complete"]:
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    assert state["done"] == state["total"] == before["total"] and state["stored_model"] == "test/other-model"
    assert search(client, alice)[0]["title"] == "Kafka lag runbook"
