"""The case service: versioned writes (no lost update), proposals, hypotheses through the copilot's changes."""

from __future__ import annotations

import threading

import pytest

from faultmaven.cases.changes import CaseChanges, HypothesisChange, HypothesisDraft, ProposalDraft
from faultmaven.cases.hypotheses import HypothesisState
from faultmaven.cases.lifecycle import CaseState, ClosureReason
from faultmaven.cases.model import Case, ProposalKind
from faultmaven.cases.progress import ProgressIndicator
from faultmaven.cases.service import CaseService
from faultmaven.container import Container
from faultmaven.errors import Conflict, InvalidInput, NotFound


@pytest.fixture
def svc(container: Container) -> CaseService:
    return container.case_service


def test_concurrent_updates_with_one_version_leave_one_winner(svc: CaseService) -> None:
    case = svc.create("u1")
    barrier, results = threading.Barrier(6), []

    def rename(i: int) -> None:
        barrier.wait()
        try:
            svc.update("u1", case.case_id, title=f"title {i}", expected_version=1)
            results.append("ok")
        except Conflict as exc:
            results.append(exc.headers["X-Actual-Version"])

    threads = [threading.Thread(target=rename, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["2"] * 5 + ["ok"]
    assert svc.get("u1", case.case_id).version == 2


def test_without_a_version_a_lost_race_is_reapplied_not_lost(container: Container, svc: CaseService) -> None:
    case = svc.create("u1")
    repo = container.cases
    real_save = repo.save
    sneaked = []

    def save_after_a_rival(updated: Case, expected_version: int) -> None:
        if not sneaked:  # a concurrent writer commits between our read and our write
            sneaked.append(True)
            rival = repo.get("u1", case.case_id).model_copy(update={"description": "rival's edit", "version": 2})
            real_save(rival, 1)
        real_save(updated, expected_version)

    repo.save = save_after_a_rival  # type: ignore[method-assign]
    try:
        updated = svc.update("u1", case.case_id, title="my rename")
    finally:
        repo.save = real_save  # type: ignore[method-assign]
    assert (updated.title, updated.description, updated.version) == ("my rename", "rival's edit", 3)
    assert svc.get("u1", case.case_id) == updated


def test_a_race_lost_every_time_ends_in_409(container: Container, svc: CaseService) -> None:
    case = svc.create("u1")
    repo = container.cases
    real_save = repo.save

    def always_beaten(updated: Case, expected_version: int) -> None:
        rival = repo.get("u1", case.case_id)
        real_save(rival.model_copy(update={"version": rival.version + 1}), rival.version)
        real_save(updated, expected_version)

    repo.save = always_beaten  # type: ignore[method-assign]
    try:
        with pytest.raises(Conflict) as err:
            svc.update("u1", case.case_id, title="never")
    finally:
        repo.save = real_save  # type: ignore[method-assign]
    assert err.value.code == "VERSION_CONFLICT" and "X-Expected-Version" in err.value.headers


def test_noop_update_writes_nothing(svc: CaseService) -> None:
    case = svc.create("u1", title="same")
    assert svc.update("u1", case.case_id, title="same").version == 1


def test_propose_then_confirm_or_reject(svc: CaseService) -> None:
    case = svc.create("u1")
    start = ProposalDraft(kind=ProposalKind.START_INVESTIGATION, summary="502s on checkout since 10:00")
    proposed = svc.apply("u1", case.case_id, CaseChanges(turn_number=1, propose=start))
    assert proposed.state == CaseState.INQUIRY and proposed.pending_proposal.kind == ProposalKind.START_INVESTIGATION
    rejected = svc.apply("u1", case.case_id, CaseChanges(turn_number=2, answer_proposal="reject"))
    assert rejected.pending_proposal is None and rejected.state == CaseState.INQUIRY
    with pytest.raises(Conflict):  # nothing pending any more
        svc.apply("u1", case.case_id, CaseChanges(answer_proposal="confirm"))
    svc.apply("u1", case.case_id, CaseChanges(propose=start))
    confirmed = svc.apply("u1", case.case_id, CaseChanges(turn_number=3, answer_proposal="confirm"))
    assert confirmed.state == CaseState.INVESTIGATING and confirmed.problem_statement == start.summary
    assert confirmed.investigation_started_turn == 3 and confirmed.pending_proposal is None


def test_proposals_must_be_legal_now(svc: CaseService) -> None:
    case = svc.create("u1")
    with pytest.raises(Conflict):  # an inquiry cannot be resolved
        svc.apply("u1", case.case_id, CaseChanges(propose=ProposalDraft(kind=ProposalKind.RESOLVE)))
    with pytest.raises(InvalidInput):
        svc.apply("u1", case.case_id, CaseChanges(propose=ProposalDraft(
            kind=ProposalKind.CLOSE, closure_reason=ClosureReason.MITIGATION_SUFFICIENT)))
    closing = svc.apply("u1", case.case_id, CaseChanges(propose=ProposalDraft(kind=ProposalKind.CLOSE)))
    assert closing.pending_proposal.closure_reason == ClosureReason.INQUIRY_ONLY
    closed = svc.apply("u1", case.case_id, CaseChanges(answer_proposal="confirm"))
    assert closed.state == CaseState.CLOSED and closed.closure_reason == ClosureReason.INQUIRY_ONLY
    with pytest.raises(Conflict) as err:
        svc.apply("u1", case.case_id, CaseChanges(turn_number=9))
    assert err.value.code == "CASE_TERMINAL"


def test_hypotheses_and_progress_through_changes(svc: CaseService) -> None:
    case = svc.create("u1")
    svc.update("u1", case.case_id, state=CaseState.INVESTIGATING)
    added = svc.apply("u1", case.case_id, CaseChanges(
        turn_number=1, progress_made=True,
        add_hypotheses=[HypothesisDraft(text="bad deploy", state=HypothesisState.ACTIVE),
                        HypothesisDraft(text="DNS", likelihood=0.2)],
        indicators={ProgressIndicator.SYMPTOM_VERIFIED: True, ProgressIndicator.SCOPE_ASSESSED: True}))
    deploy, dns = added.hypotheses
    assert (deploy.state, dns.state, dns.likelihood) == (HypothesisState.ACTIVE, HypothesisState.CAPTURED, 0.2)
    after = svc.apply("u1", case.case_id, CaseChanges(
        turn_number=2, update_hypotheses=[
            HypothesisChange(hypothesis_id=deploy.hypothesis_id, state=HypothesisState.VALIDATED, likelihood=0.9,
                             add_evidence_ids=["ev1", "ev1", "ev2"]),
            HypothesisChange(hypothesis_id=dns.hypothesis_id, state=HypothesisState.RETIRED, reason="no DNS errors")],
        indicators={ProgressIndicator.ROOT_CAUSE_IDENTIFIED: True}, root_cause="a bad config in the deploy"))
    assert after.turns_without_progress == 1 and after.stage.value == "treatment"
    assert after.hypotheses[0].evidence_ids == ["ev1", "ev2"] and after.hypotheses[1].retirement_reason
    with pytest.raises(Conflict):  # retired is final; the whole change set fails and nothing is written
        svc.apply("u1", case.case_id, CaseChanges(
            root_cause="changed",
            update_hypotheses=[HypothesisChange(hypothesis_id=dns.hypothesis_id, state=HypothesisState.ACTIVE)]))
    assert svc.get("u1", case.case_id).root_cause == "a bad config in the deploy"
    with pytest.raises(NotFound):
        svc.apply("u1", case.case_id, CaseChanges(update_hypotheses=[HypothesisChange(hypothesis_id="hyp_x")]))
    for stale in (1, 2):  # turns only move forward: a number already taken is a conflict
        with pytest.raises(Conflict) as err:
            svc.apply("u1", case.case_id, CaseChanges(turn_number=stale))
        assert err.value.code == "STALE_TURN"


def test_explicit_transition_with_reason_and_version(svc: CaseService) -> None:
    case = svc.create("u1")
    svc.update("u1", case.case_id, state=CaseState.INVESTIGATING)
    closed = svc.apply("u1", case.case_id, CaseChanges(transition=CaseState.CLOSED,
                                                       closure_reason=ClosureReason.CLOSED_RCA_INFEASIBLE),
                       expected_version=2)
    assert closed.closure_reason == ClosureReason.CLOSED_RCA_INFEASIBLE and closed.version == 3


def test_messages_and_owner_scope(svc: CaseService) -> None:
    case = svc.create("u1", initial_message="  first words  ")
    svc.append_message("u1", case.case_id, "assistant", "reply", 0, {"model": "x"})
    messages, total = svc.messages("u1", case.case_id, 10, 0)
    assert [m.content for m in messages] == ["first words", "reply"] and total == 2
    for call in (lambda: svc.get("u2", case.case_id), lambda: svc.messages("u2", case.case_id, 10, 0),
                 lambda: svc.append_message("u2", case.case_id, "user", "x", 1),
                 lambda: svc.update("u2", case.case_id, title="x"), lambda: svc.delete("u2", case.case_id)):
        with pytest.raises(NotFound):
            call()
    svc.delete("u1", case.case_id)
    svc.delete("u1", case.case_id)
    with pytest.raises(NotFound):
        svc.update("u1", case.case_id, title="after delete")
