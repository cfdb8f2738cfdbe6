"""One contract for every adapter of the knowledge-draft store (SQLite and DynamoDB)."""

from __future__ import annotations

from faultmaven.container import Container
from faultmaven.ports.drafts import DraftEdit, KnowledgeDraft


def _draft(draft_id: str = "kd_1", owner: str = "u1", case_id: str = "case_1",
           created: str = "2026-12-01T10:00:00Z") -> KnowledgeDraft:
    return KnowledgeDraft(draft_id=draft_id, owner_id=owner, case_id=case_id, title=f"Postmortem {draft_id}",
                          postmortem="# Postmortem\n", runbook="# Runbook\n", fix="rolled back", authors=[owner],
                          incident_date=created, created_at=created, updated_at=created)


def test_create_get_and_owner_isolation(any_container: Container) -> None:
    repo = any_container.drafts
    assert repo.create(_draft())
    assert not repo.create(_draft())  # the id is taken
    got = repo.get("u1", "kd_1")
    assert got is not None and got.fix == "rolled back" and got.status == "pending" and got.authors == ["u1"]
    assert repo.get("u2", "kd_1") is None  # another owner never reads it
    assert repo.find_by_case("u2", "case_1") is None
    assert repo.list("u2", None, 10, 0).total == 0


def test_update_is_versioned_and_keeps_review_fields(any_container: Container) -> None:
    repo = any_container.drafts
    repo.create(_draft())
    draft = repo.get("u1", "kd_1")
    assert draft is not None
    approved = draft.model_copy(update={"status": "approved", "reviewer_id": "u1", "version": 2,
                                        "edits": [DraftEdit(editor_id="u1", fields=["fix"], at="2026-12-02T00:00:00Z")],
                                        "document_id": "doc_9"})
    assert repo.update(approved, expected_version=1)
    assert not repo.update(approved.model_copy(update={"status": "rejected", "version": 3}), expected_version=1)
    stored = repo.get("u1", "kd_1")
    assert stored is not None and (stored.status, stored.version, stored.document_id) == ("approved", 2, "doc_9")
    assert stored.edits[0].fields == ["fix"]


def test_list_filters_by_status_pages_newest_first_and_finds_by_case(any_container: Container) -> None:
    repo = any_container.drafts
    for i in range(3):
        repo.create(_draft(f"kd_{i}", case_id=f"case_{i % 2}", created=f"2026-12-0{i + 1}T10:00:00Z"))
    repo.create(_draft("kd_other", owner="u2", created="2026-12-09T10:00:00Z"))
    page = repo.list("u1", None, 2, 0)
    assert page.total == 3 and [d.draft_id for d in page.items] == ["kd_2", "kd_1"]
    assert [d.draft_id for d in repo.list("u1", None, 2, 2).items] == ["kd_0"]
    first = repo.get("u1", "kd_0")
    assert first is not None
    repo.update(first.model_copy(update={"status": "rejected", "version": 2}), expected_version=1)
    assert [d.draft_id for d in repo.list("u1", "pending", 10, 0).items] == ["kd_2", "kd_1"]
    assert [d.draft_id for d in repo.list("u1", "rejected", 10, 0).items] == ["kd_0"]
    found = repo.find_by_case("u1", "case_0")
    assert found is not None and found.draft_id == "kd_2"  # the newest draft of that case
