"""Approving a draft never half-publishes: when the past incident cannot be indexed the draft stays pending (and can
be approved again); two reviews of one version: the first wins, the second is refused."""

from __future__ import annotations

import pytest

from faultmaven.auth.service import Principal
from faultmaven.container import Container
from faultmaven.errors import Conflict, Unavailable
from faultmaven.knowledge.documents import Reader, Upload, UploadOutcome
from faultmaven.memory.drafts import DraftService, Review
from faultmaven.ports.documents import DocumentRecord
from faultmaven.ports.drafts import KnowledgeDraft

AT = "2026-12-01T10:00:00Z"
ALICE = Principal(user_id="u_alice", username="alice", roles=())


class StubKnowledge:
    def __init__(self, status: str) -> None:
        self.status = status
        self.uploads: list[Upload] = []

    def upload(self, reader: Reader, upload: Upload, *, wait_seconds: float | None = None) -> UploadOutcome:
        self.uploads.append(upload)
        doc = DocumentRecord(document_id=f"doc_{len(self.uploads)}", owner_id=reader.user_id, title=upload.title or "",
                             document_type=upload.document_type, filename=upload.filename, sha256="x",
                             status=self.status, error="embedder down" if self.status == "failed" else None,
                             metadata=upload.metadata, created_at=AT, updated_at=AT)
        return UploadOutcome(document=doc)


def _service(container: Container, knowledge: StubKnowledge) -> DraftService:
    container.drafts.create(KnowledgeDraft(draft_id="kd_1", owner_id=ALICE.user_id, case_id="case_1", title="t",
                                           postmortem="# P\n", runbook="# R\n", fix="rolled back",
                                           authors=["alice"], incident_date=AT, created_at=AT, updated_at=AT))
    return DraftService(container.drafts, container.case_service, container.evidence, lambda: knowledge,
                        container.sanitizer, readers=container.team_service.reader)


def test_a_failed_index_leaves_the_draft_pending_and_a_retry_approves_it(container: Container) -> None:
    knowledge = StubKnowledge("failed")
    service = _service(container, knowledge)
    with pytest.raises(Unavailable) as failed:
        service.approve(ALICE, "kd_1", Review())
    assert failed.value.code == "INDEXING_FAILED"
    assert service.get(ALICE, "kd_1").status == "pending"
    knowledge.status = "indexed"
    approved = service.approve(ALICE, "kd_1", Review(note="ok"))
    assert (approved.status, approved.document_id, approved.version) == ("approved", "doc_2", 2)
    meta = knowledge.uploads[-1].metadata
    assert (meta["case_id"], meta["fix"], meta["authors"]) == ("case_1", "rolled back", ["alice"])


def test_two_reviews_of_one_version_one_wins(container: Container) -> None:
    service = _service(container, StubKnowledge("indexed"))
    service.reject(ALICE, "kd_1", Review(version=1))
    with pytest.raises(Conflict):
        service.approve(ALICE, "kd_1", Review(version=1))
    assert service.get(ALICE, "kd_1").status == "rejected"
