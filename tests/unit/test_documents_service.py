"""The knowledge service over the embedded adapters, with a tiny hashing embedder (no model needed)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from faultmaven.adapters.files.blobs import FilesystemBlobStore
from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.adapters.sqlite.documents import SqliteDocumentRepository
from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex
from faultmaven.errors import Forbidden, InvalidInput, NotFound, TooLarge, UnsupportedMedia
from faultmaven.knowledge import ingestion
from faultmaven.knowledge.documents import DocumentChanges, KnowledgeService, Reader, SearchFilters, Upload, parse_tags
from faultmaven.knowledge.ingestion import BackgroundIngestion, Ingestor, S3EventIngestion
from faultmaven.knowledge.keys import raw_key, text_key
from faultmaven.knowledge.snippets import MARKDOWN_MARKS, excerpt, highlight
from faultmaven.ports.documents import DocumentQuery, Visibility
from faultmaven.ports.embedder import EmbeddingSpace

WAIT = 30.0
ALICE = Reader("alice", ("sre",))
BOB = Reader("bob")
ADMIN = Reader("root", (), is_admin=True)
RUNBOOK = b"# Disk pressure\n\n## Symptoms\nNodes report DiskPressure and evict pods.\n\n## Fix\nPrune images.\n"


class HashingEmbedder:
    space = EmbeddingSpace(model_id="test/hashing", dim=64)

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), 64), np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.sha1(word.encode()).hexdigest(), 16) % 64] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class Kb:
    def __init__(self, root: Path, max_file_bytes: int = 100_000, timeout: int = 900) -> None:
        db = SqliteDatabase(root / "kb.sqlite")
        self.documents = SqliteDocumentRepository(db)
        self.blobs = FilesystemBlobStore(root / "blobs")
        self.index = SqliteVectorIndex(db, HashingEmbedder.space)
        self.embedder = HashingEmbedder()
        self.ingestor = Ingestor(self.documents, self.blobs, self.embedder, self.index)
        self.runner = BackgroundIngestion(self.ingestor)
        self.service = KnowledgeService(self.documents, self.blobs, self.index, self.embedder, self.runner,
                                        max_file_bytes=max_file_bytes, pending_timeout_seconds=timeout)

    def add(self, reader: Reader, data: bytes = RUNBOOK, name: str = "disk.md", **fields: object):
        return self.service.upload(reader, Upload(filename=name, data=data, **fields), wait_seconds=WAIT)


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[Kb]:
    k = Kb(tmp_path)
    yield k
    k.runner.shutdown()


def test_upload_indexes_and_search_finds_it_with_highlights(kb: Kb) -> None:
    outcome = kb.add(ALICE, title="Disk runbook", tags="k8s, nodes")
    doc = outcome.document
    assert (doc.status, doc.error, doc.chunk_count, doc.tags) == ("indexed", None, 2, ["k8s", "nodes"])
    assert outcome.duplicate_of is None
    assert kb.service.get(ALICE, doc.document_id)[1] == RUNBOOK.decode()
    results = kb.service.search(ALICE, "pods evicted disk pressure")
    assert results and results[0].document.document_id == doc.document_id
    assert results[0].heading_path == ["Symptoms"]
    assert "<mark>DiskPressure</mark>" in results[0].snippet
    assert 0 < results[0].score <= 1


def test_a_document_without_title_takes_the_one_in_its_content(kb: Kb) -> None:
    assert kb.add(ALICE).document.title == "Disk pressure"
    assert kb.add(ALICE, data=b"plain words only", name="notes-2024.txt").document.title == "notes-2024"


def test_reuploading_the_same_bytes_answers_the_existing_document(kb: Kb) -> None:
    first = kb.add(ALICE).document
    again = kb.add(ALICE, name="copy.md", title="Another title")
    assert again.duplicate_of == first.document_id
    assert again.document.document_id == first.document_id
    assert kb.service.list(ALICE).total == 1
    assert kb.add(BOB).duplicate_of is None  # per owner: bob's copy is his own document


def test_a_failed_document_is_replaced_by_its_reupload(kb: Kb) -> None:
    failed = kb.add(ALICE, data=b"%PDF-1.4 broken", name="bad.pdf").document
    assert failed.status == "failed" and "PDF" in (failed.error or "")
    retry = kb.add(ALICE, data=b"%PDF-1.4 broken", name="bad.pdf")
    assert retry.duplicate_of is None and retry.document.document_id != failed.document_id
    with pytest.raises(NotFound):
        kb.service.get(ALICE, failed.document_id)


def test_ingestion_errors_end_as_failed_never_pending(kb: Kb, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(kb.embedder, "embed", broken)
    doc = kb.add(ALICE).document
    assert doc.status == "failed"
    assert "RuntimeError" in (doc.error or "") and "secret" not in (doc.error or "")


def test_ingestion_records_its_progress_after_each_embedding_call(kb: Kb, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int, int]] = []
    embed = kb.embedder.embed

    def watched(texts: Sequence[str]) -> np.ndarray:
        doc = kb.documents.list(DocumentQuery(visibility=Visibility(owner_id=ALICE.user_id))).items[0]
        seen.append((doc.status, doc.chunks_embedded, doc.chunk_count))
        return embed(texts)

    monkeypatch.setattr(kb.embedder, "embed", watched)
    monkeypatch.setattr(ingestion, "_EMBED_BATCH", 2)
    sections = "".join(f"## Step {i}\n{'word ' * 30}\n\n" for i in range(5))
    doc = kb.add(ALICE, data=f"# Long runbook\n\n{sections}".encode(), name="long.md").document
    assert (doc.status, doc.chunk_count, doc.chunks_embedded) == ("indexed", 5, 5)
    assert seen == [("pending", 0, 0), ("pending", 2, 5), ("pending", 4, 5)]


def test_a_document_pending_past_the_timeout_is_reported_failed(tmp_path: Path) -> None:
    kb = Kb(tmp_path, timeout=60)
    kb.runner.after_upload = lambda document_id: None  # an ingestion that never runs (a killed process)
    doc = kb.add(ALICE).document
    assert doc.status == "pending"
    kb.documents.set_status(doc.document_id, "pending", updated_at="2000-01-01T00:00:00Z")
    stale = kb.service.get(ALICE, doc.document_id)[0]
    assert stale.status == "failed" and "did not finish" in (stale.error or "")
    assert kb.documents.get(doc.document_id).status == "failed"


def test_owner_isolation_and_scopes(kb: Kb) -> None:
    private = kb.add(ALICE).document
    team = kb.add(ALICE, data=b"team notes about kafka", name="t.txt", scope="team", team_id="sre").document
    shared = kb.add(ADMIN, data=b"global kafka guide", name="g.txt", scope="global").document
    for call in (lambda: kb.service.get(BOB, private.document_id), lambda: kb.service.delete(BOB, private.document_id),
                 lambda: kb.service.get(BOB, team.document_id)):
        with pytest.raises(NotFound):
            call()
    assert [d.document_id for d in kb.service.list(BOB).items] == [shared.document_id]
    assert {r.document.document_id for r in kb.service.search(BOB, "kafka disk pressure")} == {shared.document_id}
    teammate = Reader("carol", ("sre",))
    assert kb.service.get(teammate, team.document_id)[0].scope == "team"
    with pytest.raises(Forbidden):
        kb.service.delete(teammate, team.document_id)  # members read a team document; its owner changes it
    with pytest.raises(Forbidden):
        kb.service.delete(ALICE, shared.document_id)  # global documents are the admins'
    assert kb.service.list(ALICE, only_own=True).total == 2


def test_scope_rules_on_upload(kb: Kb) -> None:
    with pytest.raises(Forbidden):
        kb.add(ALICE, scope="global")
    with pytest.raises(InvalidInput):
        kb.add(ALICE, scope="team")
    with pytest.raises(Forbidden):
        kb.add(BOB, scope="team", team_id="sre")
    with pytest.raises(InvalidInput):
        kb.add(ALICE, scope="everyone")


def test_size_and_type_checks(tmp_path: Path) -> None:
    kb = Kb(tmp_path, max_file_bytes=1024)
    with pytest.raises(TooLarge):
        kb.add(ALICE, data=b"x" * 1025, name="big.txt")
    with pytest.raises(UnsupportedMedia):
        kb.add(ALICE, data=b"fine", name="run.sh")
    with pytest.raises(InvalidInput):
        kb.add(ALICE, document_type="!!")


def test_delete_removes_chunks_and_blobs(kb: Kb) -> None:
    doc = kb.add(ALICE).document
    kb.service.delete(ALICE, doc.document_id)
    assert kb.service.search(ALICE, "disk pressure", mode="bm25") == []
    assert not kb.blobs.exists(raw_key(doc.document_id)) and not kb.blobs.exists(text_key(doc.document_id))
    with pytest.raises(NotFound):
        kb.service.get(ALICE, doc.document_id)


def test_bulk_delete_reports_each_id(kb: Kb) -> None:
    mine = kb.add(ALICE).document
    theirs = kb.add(BOB, data=b"bob notes", name="b.txt").document
    outcome = kb.service.bulk_delete(ALICE, [mine.document_id, theirs.document_id, mine.document_id, "nope"])
    assert outcome.deleted == [mine.document_id]
    assert [(i, code) for i, _, code in outcome.failed] == [(theirs.document_id, "NOT_FOUND"), ("nope", "NOT_FOUND")]
    assert kb.service.get(BOB, theirs.document_id)[0].status == "indexed"


def test_title_or_scope_edits_reindex_other_edits_do_not(kb: Kb) -> None:
    doc = kb.add(ALICE).document
    calls = kb.embedder.calls
    edited = kb.service.update(ALICE, doc.document_id, DocumentChanges(tags="a,b", description="d"))
    assert (edited.tags, edited.description, kb.embedder.calls) == (["a", "b"], "d", calls)
    kb.service.update(ALICE, doc.document_id, DocumentChanges(title="Renamed runbook"))
    kb.runner.shutdown()  # waits for the re-index
    hits = kb.service.search(ALICE, "renamed", mode="bm25")
    assert hits and hits[0].document.title == "Renamed runbook"
    with pytest.raises(Forbidden):
        kb.service.update(ALICE, doc.document_id, DocumentChanges(scope="global"))


def test_search_filters_apply_to_document_metadata(kb: Kb) -> None:
    kb.add(ALICE, document_type="runbook", tags=["disk"])
    kb.add(ALICE, data=b"## Disk\nDisk pressure postmortem", name="pm.md", document_type="postmortem")
    kinds = {r.document.document_type for r in kb.service.search(
        ALICE, "disk pressure", filters=SearchFilters(document_type="postmortem"))}
    assert kinds == {"postmortem"}
    tagged = kb.service.search(ALICE, "disk pressure", filters=SearchFilters(tags=["disk"]), per_document=True)
    assert [r.document.document_type for r in tagged] == ["runbook"]


def test_cloud_reingest_rewrites_the_upload_to_fire_the_bucket_event(tmp_path: Path) -> None:
    blobs = FilesystemBlobStore(tmp_path)
    blobs.put(raw_key("doc_1"), b"bytes", "text/plain")
    assert S3EventIngestion(blobs).after_upload("doc_1") is None
    S3EventIngestion(blobs).reingest("doc_1")
    assert blobs.get(raw_key("doc_1")) == b"bytes"


@pytest.mark.parametrize(("raw", "tags"), [
    ("a, b,,a", ["a", "b"]), ('["x", "y"]', ["x", "y"]), (["k8s", " k8s "], ["k8s"]), (None, []),
])
def test_tags_are_parsed_from_comma_lists_and_json(raw: object, tags: list[str]) -> None:
    assert parse_tags(raw) == tags  # type: ignore[arg-type]


def test_tags_in_broken_json_are_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_tags('["unclosed')


def test_snippets_centre_on_the_matches_and_escape_html() -> None:
    text = "filler " * 100 + "the <etcd> leader election timed out " + "filler " * 100
    window = excerpt(text, "etcd leader timeout", width=120)
    assert "leader election" in window and window.startswith("…") and window.endswith("…")
    assert highlight("<etcd> Leader", "etcd leader") == "&lt;<mark>etcd</mark>&gt; <mark>Leader</mark>"
    assert highlight("restarts of pods", "restart", MARKDOWN_MARKS) == "**restarts** of pods"


def test_one_slot_per_document_unless_asked(kb: Kb) -> None:
    long = b"# Etcd\n\n" + b"".join(b"## Step %d\netcd quorum lost, step %d of the etcd recovery.\n\n" % (i, i)
                                     for i in range(6))
    kb.add(ALICE, data=long, name="etcd.md")
    kb.add(ALICE, data=b"# Quorum\n\netcd quorum warning on a member.\n", name="quorum.md")
    for mode in ("hybrid", "bm25", "vector"):
        results = kb.service.search(ALICE, "etcd quorum lost", limit=5, mode=mode)
        documents = [r.document.document_id for r in results]
        assert len(documents) == len(set(documents)) == 2, mode
    several = kb.service.search(ALICE, "etcd quorum lost", limit=5, mode="bm25", per_document=False)
    assert len({r.document.document_id for r in several}) < len(several)


def test_front_matter_and_html_never_reach_snippets_and_the_front_matter_is_kept(kb: Kb) -> None:
    data = (b"---\nowner: storage-team\nseverity: critical\n---\n# Volume full\n\n<details>\n"
            b"<summary>Expand the volume</summary>\n\nResize the claim, then restart the pod.\n</details>\n")
    doc = kb.add(ALICE, data=data, name="volume.md").document
    [result] = kb.service.search(ALICE, "resize claim restart pod")
    for leaked in ("---", "owner", "storage-team", "<details>", "&lt;details", "summary>"):
        assert leaked not in result.snippet and leaked not in result.text
    assert kb.documents.get(doc.document_id).metadata["front_matter"] == {"owner": "storage-team",
                                                                          "severity": "critical"}


def test_highlights_mark_query_words_only() -> None:
    text = "Scale up the deployment, then update the upstream config; pods restarted, DiskPressure cleared."
    marked = highlight(text, "scale up pod restart disk")
    assert "<mark>up</mark>" in marked and "<mark>update</mark>" not in marked and "<mark>upstream" not in marked
    assert "<mark>restarted</mark>" in marked and "<mark>pods</mark>" in marked
    assert "<mark>DiskPressure</mark>" in marked  # a name made of a query word
    assert "<mark>the</mark>" not in highlight(text, "the deployment")  # stop words never light up
