"""The case state machine: every legal and every illegal edge, closure reasons, and the derived stage."""

from __future__ import annotations

import itertools

import pytest

from faultmaven.cases.lifecycle import (
    CLOSURE_REASONS,
    CaseState,
    ClosureReason,
    InvestigationStage,
    closure_reason_for,
    valid_next_states,
)
from faultmaven.cases.model import Case
from faultmaven.cases.progress import ProgressIndicator, derive_stage
from faultmaven.errors import Conflict, InvalidInput

S = CaseState
LEGAL = {(S.INQUIRY, S.INVESTIGATING), (S.INQUIRY, S.CLOSED), (S.INVESTIGATING, S.RESOLVED),
         (S.INVESTIGATING, S.CLOSED)}
AT = "2026-01-01T00:00:00.000000Z"


def _case(state: CaseState) -> Case:
    return Case(case_id="c", user_id="u", title="t", state=state, created_at=AT, updated_at=AT, last_activity_at=AT)


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_legal_edges(source: CaseState, target: CaseState) -> None:
    case = _case(source)
    case.transition(target, "2026-01-02T00:00:00.000000Z")
    assert case.state == target
    assert (case.resolved_at is not None) == (target == S.RESOLVED)
    assert (case.closed_at is not None) == (target == S.CLOSED)
    assert (case.closure_reason is not None) == (target == S.CLOSED)


@pytest.mark.parametrize(("source", "target"), [e for e in itertools.product(CaseState, CaseState) if e not in LEGAL])
def test_illegal_edges(source: CaseState, target: CaseState) -> None:
    case = _case(source)
    with pytest.raises(Conflict) as err:
        case.transition(target, AT)
    assert err.value.code == ("CASE_TERMINAL" if source in (S.RESOLVED, S.CLOSED) else "ILLEGAL_TRANSITION")
    assert case.state == source


def test_valid_next_states_match_the_edges() -> None:
    for state in CaseState:
        assert set(valid_next_states(state)) == {t for s, t in LEGAL if s == state}
    assert _case(S.RESOLVED).is_terminal and _case(S.CLOSED).is_terminal and not _case(S.INQUIRY).is_terminal


@pytest.mark.parametrize(("source", "reason"), list(itertools.product([S.INQUIRY, S.INVESTIGATING], ClosureReason)))
def test_closure_reasons_fit_their_state(source: CaseState, reason: ClosureReason) -> None:
    if reason in CLOSURE_REASONS[source]:
        assert closure_reason_for(source, reason) == reason
    else:
        with pytest.raises(InvalidInput):
            closure_reason_for(source, reason)


def test_closure_defaults_and_unknown_reasons() -> None:
    assert closure_reason_for(S.INQUIRY, None) == ClosureReason.INQUIRY_ONLY
    assert closure_reason_for(S.INVESTIGATING, None) == ClosureReason.SOLUTION_DEFERRED
    with pytest.raises(InvalidInput):
        closure_reason_for(S.INQUIRY, "because")
    with pytest.raises(InvalidInput):  # a reason only goes with closing
        _case(S.INQUIRY).transition(S.INVESTIGATING, AT, ClosureReason.INQUIRY_ONLY)


def test_terminal_cases_refuse_edits() -> None:
    for state in (S.RESOLVED, S.CLOSED):
        case = _case(state)
        for edit in (lambda c=case: c.rename("x"), lambda c=case: c.add_hypothesis("h", AT),
                     lambda c=case: c.set_indicator(ProgressIndicator.SCOPE_ASSESSED)):
            with pytest.raises(Conflict):
                edit()


@pytest.mark.parametrize(("state", "indicators", "stage"), [
    (S.INQUIRY, {ProgressIndicator.ROOT_CAUSE_IDENTIFIED}, None),
    (S.INVESTIGATING, set(), InvestigationStage.DIAGNOSIS),
    (S.INVESTIGATING, {ProgressIndicator.SYMPTOM_VERIFIED, ProgressIndicator.SCOPE_ASSESSED},
     InvestigationStage.DIAGNOSIS),
    (S.INVESTIGATING, {ProgressIndicator.SOLUTION_PROPOSED}, InvestigationStage.MITIGATION),
    (S.INVESTIGATING, {ProgressIndicator.ROOT_CAUSE_IDENTIFIED}, InvestigationStage.TREATMENT),
    (S.RESOLVED, {ProgressIndicator.ROOT_CAUSE_IDENTIFIED, ProgressIndicator.SOLUTION_PROPOSED},
     InvestigationStage.TREATMENT),
    (S.CLOSED, {ProgressIndicator.SOLUTION_PROPOSED}, InvestigationStage.MITIGATION),
])
def test_derived_stage(state: CaseState, indicators: set[ProgressIndicator], stage: InvestigationStage | None) -> None:
    assert derive_stage(state, indicators) == stage


def test_indicators_stay_ordered_and_unique() -> None:
    case = _case(S.INVESTIGATING)
    for i in (ProgressIndicator.SOLUTION_PROPOSED, ProgressIndicator.SYMPTOM_VERIFIED,
              ProgressIndicator.SOLUTION_PROPOSED):
        case.set_indicator(i)
    assert case.indicators == [ProgressIndicator.SYMPTOM_VERIFIED, ProgressIndicator.SOLUTION_PROPOSED]
    case.set_indicator(ProgressIndicator.SOLUTION_PROPOSED, False)
    assert case.indicators == [ProgressIndicator.SYMPTOM_VERIFIED]
    assert len(ProgressIndicator) == 6
