"""Every rule of the doctrine engine: proposals, confirmations, indicators, hypotheses, phases."""

from __future__ import annotations

import pytest

from faultmaven.copilot.doctrine import (
    CONFIRM_MARKER,
    CaseView,
    EvidenceDigest,
    HypothesisView,
    Intent,
    KnowledgeHit,
    Proposal,
    current_phase,
    plan_turn,
)

ALL = {"symptom_verified": True, "scope_assessed": True, "timeline_established": True, "changes_identified": True}
LOG = EvidenceDigest(filename="api.log", source_type="logs", error_count=12, first_error_at="2026-11-25T09:14:00Z",
                     top_errors=["connection refused to <*>:5432"])
HIT = KnowledgeHit(document_id="d1", title="Postgres connection exhaustion", snippet="...", score=0.9)
CHAT = Intent()


def test_marker_is_exactly_what_the_extension_turns_into_buttons() -> None:
    assert CONFIRM_MARKER == "[✅ Yes]  [❌ No]"


def test_inquiry_question_stays_inquiry() -> None:
    plan = plan_turn(CaseView(state="inquiry"), "how do I read a PDB?", CHAT, [], [])
    assert plan.new_proposal is None and plan.transition is None and plan.phase == 0


def test_inquiry_problem_is_proposed_not_applied() -> None:
    plan = plan_turn(CaseView(state="inquiry"), "checkout API returns 503 errors since 09:10", CHAT, [], [])
    assert plan.transition is None
    assert plan.new_proposal == Proposal(target_state="investigating",
                                         reason="checkout API returns 503 errors since 09:10")
    assert plan.progress["symptom_verified"] and plan.progress["timeline_established"]


def test_an_error_log_alone_is_a_problem() -> None:
    plan = plan_turn(CaseView(state="inquiry"), "", CHAT, [LOG], [])
    assert plan.new_proposal is not None and plan.new_proposal.target_state == "investigating"


def test_a_log_of_failures_without_levels_is_a_problem() -> None:
    dmesg = EvidenceDigest(filename="dmesg.txt", source_type="logs", top_errors=["Out of memory: Killed process <*>"])
    plan = plan_turn(CaseView(state="inquiry"), "A worker keeps killing processes. Kernel messages attached.", CHAT,
                     [dmesg], [])
    assert plan.new_proposal is not None and plan.new_proposal.target_state == "investigating"
    assert plan_turn(CaseView(state="inquiry"), "Kernel messages attached.", CHAT,
                     [dmesg.model_copy(update={"top_errors": []})], []).new_proposal is None


@pytest.mark.parametrize("answer", ["yes", "Yes!", "ok", "go ahead"])
def test_yes_applies_the_pending_proposal(answer: str) -> None:
    case = CaseView(state="inquiry", pending_proposal=Proposal(target_state="investigating", reason="r"))
    plan = plan_turn(case, answer, CHAT, [], [])
    assert plan.resolve_pending is True and plan.transition == "investigating" and plan.phase == 1


def test_confirmation_intent_with_no_drops_the_proposal() -> None:
    case = CaseView(state="inquiry", pending_proposal=Proposal(target_state="investigating", reason="r"))
    plan = plan_turn(case, "", Intent(kind="confirmation", data={"decision": "no"}), [], [])
    assert plan.resolve_pending is False and plan.transition is None


def test_unrelated_text_leaves_the_proposal_pending() -> None:
    case = CaseView(state="inquiry", pending_proposal=Proposal(target_state="investigating", reason="r"))
    plan = plan_turn(case, "what else do you need?", CHAT, [], [])
    assert plan.resolve_pending is None and plan.transition is None and plan.new_proposal is None


def test_phase_one_asks_for_blast_radius() -> None:
    plan = plan_turn(CaseView(state="investigating"), "tell me more", CHAT, [], [])
    assert plan.phase == 1 and [a.type for a in plan.suggested_actions] == ["EVIDENCE"]  # no domain known yet
    plan = plan_turn(CaseView(state="investigating"), "checkout pods are in CrashLoopBackOff", CHAT, [], [])
    run = [a for a in plan.suggested_actions if a.type == "RUN"]
    assert run and all("kubectl" in (a.payload or "") and a.why for a in run)


def test_commands_follow_the_evidence_not_a_fixed_list() -> None:
    case = CaseView(state="investigating", progress=ALL)
    dns = EvidenceDigest(filename="app.log", source_type="logs", error_count=40,
                         top_errors=["dial tcp: lookup <*>: no such host"])
    payloads = [a.payload for a in plan_turn(case, "", CHAT, [dns], []).suggested_actions if a.type == "RUN"]
    assert payloads and all("dig" in p for p in payloads)
    plan = plan_turn(case, "", CHAT, [LOG], [])  # connection refused to <*>:5432: a database
    assert any("pg_" in (a.payload or "") or "psql" in (a.payload or "") for a in plan.suggested_actions)


def test_after_or_since_alone_establish_nothing() -> None:
    case = CaseView(state="investigating", progress={"symptom_verified": True})
    plan = plan_turn(case, "it got worse after lunch and users complain since then", CHAT, [], [])
    assert "timeline_established" not in plan.progress and "scope_assessed" not in plan.progress
    assert plan_turn(case, "only checkout is affected", CHAT, [], []).progress.get("scope_assessed")
    plan = plan_turn(case, "first 503 at 09:14 UTC; 3 of 12 pods restart", CHAT, [], [])
    assert plan.progress.get("timeline_established") and plan.progress.get("scope_assessed")
    assert plan.findings.timeline == ["first 503 at 09:14 UTC"] and plan.findings.impact == "3 of 12 pods restart"


def test_scope_after_symptom() -> None:
    case = CaseView(state="investigating", progress={"symptom_verified": True})
    plan = plan_turn(case, "only eu-west users, about 30% of requests", CHAT, [], [])
    assert plan.progress.get("scope_assessed") is True


def test_timeline_and_changes_move_to_hypotheses() -> None:
    case = CaseView(state="investigating", progress={"symptom_verified": True, "scope_assessed": True})
    plan = plan_turn(case, "it started at 09:14 right after we deployed v2.3", CHAT, [LOG], [HIT])
    assert plan.progress == {"timeline_established": True, "changes_identified": True}
    assert plan.phase == 3 and len(plan.new_hypotheses) == 2
    assert "connection refused" in plan.new_hypotheses[0] and "Postgres" in plan.new_hypotheses[1]


def test_known_hypotheses_are_not_repeated() -> None:
    h = HypothesisView(hypothesis_id="h1", statement="The situation matches the runbook 'Postgres connection "
                                                     "exhaustion'", status="refuted")
    plan = plan_turn(CaseView(state="investigating", progress=ALL, hypotheses=[h]), "", CHAT, [], [HIT])
    assert plan.new_hypotheses == []


def test_captured_hypothesis_is_activated_for_testing() -> None:
    h = HypothesisView(hypothesis_id="h1", statement="db pool exhausted", status="captured")
    plan = plan_turn(CaseView(state="investigating", progress=ALL, hypotheses=[h]), "next?", CHAT, [], [])
    assert [(c.hypothesis_id, c.status) for c in plan.hypothesis_changes] == [("h1", "active")]
    assert plan.phase == 4


def test_validating_a_hypothesis_records_the_root_cause_then_the_fix_leads_to_resolution() -> None:
    h = HypothesisView(hypothesis_id="h1", statement="The errors in api.log: db pool exhausted", status="active")
    case = CaseView(state="investigating", progress=ALL, hypotheses=[h])
    plan = plan_turn(case, "", Intent(kind="hypothesis_action", data={
        "hypothesis_id": "h1", "action": "validate", "reason": "pool max is 10, v2.3 runs 40 workers"}), [LOG], [])
    assert plan.progress["root_cause_identified"] and "solution_proposed" not in plan.progress
    assert plan.findings.root_cause == ("The errors in api.log: db pool exhausted. Validated because: pool max is 10, "
                                        "v2.3 runs 40 workers. Evidence: api.log (12 error lines, first at "
                                        "2026-11-25T09:14:00Z): `connection refused to <*>:5432`.")
    assert plan.phase == 5 and plan.new_proposal is None  # no fix recorded yet: it asks for one
    assert any(a.type == "EVIDENCE" and "fix" in a.payload for a in plan.suggested_actions)

    known = case.model_copy(update={"progress": {**ALL, "root_cause_identified": True},
                                    "root_cause": plan.findings.root_cause})
    fixed = plan_turn(known, "We rolled back to v2.2 at 10:02. Errors stopped.", CHAT, [LOG], [])
    assert fixed.findings.solution == "We rolled back to v2.2 at 10:02." and fixed.progress["solution_proposed"]
    assert fixed.new_proposal is not None and fixed.new_proposal.target_state == "resolved"
    assert fixed.new_proposal.reason.startswith("Root cause: The errors in api.log: db pool exhausted.")
    assert fixed.new_proposal.reason.endswith("Fix: We rolled back to v2.2 at 10:02.")


def test_hypothesis_action_on_unknown_id_changes_nothing() -> None:
    case = CaseView(state="investigating", progress=ALL)
    plan = plan_turn(case, "", Intent(kind="hypothesis_action", data={"hypothesis_id": "zz", "action": "validate"}),
                     [], [])
    assert plan.hypothesis_changes == [] and "root_cause_identified" not in plan.progress


def test_user_requested_close_is_applied_with_reason() -> None:
    plan = plan_turn(CaseView(state="investigating"), "", Intent(kind="status_transition", data={
        "target_state": "closed", "closure_reason": "mitigation_sufficient"}), [], [])
    assert plan.transition == "closed" and plan.closure_reason == "mitigation_sufficient"


def test_confirmed_resolution_ends_the_doctrine() -> None:
    case = CaseView(state="investigating", progress={**ALL, "root_cause_identified": True},
                    pending_proposal=Proposal(target_state="resolved", reason="fixed"))
    plan = plan_turn(case, "yes", CHAT, [], [])
    assert plan.transition == "resolved" and plan.new_proposal is None and plan.suggested_actions == []


@pytest.mark.parametrize(("progress", "hyps", "phase"), [
    ({}, [], 1), ({"symptom_verified": True}, [], 1), ({"symptom_verified": True, "scope_assessed": True}, [], 2),
    (ALL, [], 3), (ALL, [HypothesisView(hypothesis_id="h", statement="s", status="active")], 4),
    ({**ALL, "root_cause_identified": True}, [], 5)])
def test_current_phase(progress: dict, hyps: list, phase: int) -> None:
    assert current_phase(progress, hyps) == phase


def test_validating_an_untested_hypothesis_passes_through_active() -> None:
    h = HypothesisView(hypothesis_id="h1", statement="db pool exhausted", status="captured")
    case = CaseView(state="investigating", progress=ALL, hypotheses=[h])
    plan = plan_turn(case, "", Intent(kind="hypothesis_action", data={"hypothesis_id": "h1", "action": "refute",
                                                                      "reason": "pool at 10%"}), [], [])
    assert [(c.status, c.reason) for c in plan.hypothesis_changes] == [("active", None), ("refuted", "pool at 10%")]


def test_every_command_domain_recognises_its_examples_and_only_them() -> None:
    from faultmaven.copilot.commands import DOMAINS, domains_in

    for domain in DOMAINS:
        for text in domain.examples:
            assert domain.pattern.search(text), (domain.name, text)
            assert domain.name in domains_in(text)
        for text in domain.non_examples:
            assert not domain.pattern.search(text), (domain.name, text)
        assert all(c.why and c.payload for cs in domain.phases.values() for c in cs)
        assert set(domain.phases) == {1, 2, 3, 4, 5}, domain.name
