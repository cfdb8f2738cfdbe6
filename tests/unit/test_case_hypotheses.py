"""Hypothesis states: every legal and every illegal edge."""

from __future__ import annotations

import itertools

import pytest

from faultmaven.cases.hypotheses import HYPOTHESIS_TRANSITIONS, Hypothesis, HypothesisState
from faultmaven.errors import Conflict

H = HypothesisState
LEGAL = {(H.CAPTURED, H.ACTIVE), (H.CAPTURED, H.RETIRED), (H.ACTIVE, H.VALIDATED), (H.ACTIVE, H.REFUTED),
         (H.ACTIVE, H.INCONCLUSIVE), (H.ACTIVE, H.RETIRED), (H.INCONCLUSIVE, H.ACTIVE), (H.INCONCLUSIVE, H.RETIRED),
         (H.VALIDATED, H.RETIRED)}
AT = "2026-01-01T00:00:00.000000Z"


def _hypothesis(state: HypothesisState) -> Hypothesis:
    return Hypothesis(hypothesis_id="h1", text="the deploy broke it", state=state, created_at=AT, updated_at=AT)


def test_table_matches_the_documented_edges() -> None:
    assert {(s, t) for s, targets in HYPOTHESIS_TRANSITIONS.items() for t in targets} == LEGAL


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_legal_edges(source: HypothesisState, target: HypothesisState) -> None:
    h = _hypothesis(source)
    h.move_to(target, reason="checked the logs")
    assert h.state == target
    assert (h.refutation_reason is not None) == (target == H.REFUTED)
    assert (h.retirement_reason is not None) == (target == H.RETIRED)


@pytest.mark.parametrize(("source", "target"),
                         [e for e in itertools.product(HypothesisState, HypothesisState)
                          if e not in LEGAL and e[0] != e[1]])
def test_illegal_edges(source: HypothesisState, target: HypothesisState) -> None:
    h = _hypothesis(source)
    with pytest.raises(Conflict):
        h.move_to(target)
    assert h.state == source


@pytest.mark.parametrize("state", list(HypothesisState))
def test_staying_put_is_a_no_op(state: HypothesisState) -> None:
    h = _hypothesis(state)
    h.move_to(state)
    assert h.state == state
