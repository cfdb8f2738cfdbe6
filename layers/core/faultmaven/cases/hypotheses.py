"""Hypotheses and the states each may move through during an investigation."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from faultmaven.errors import Conflict


class HypothesisState(StrEnum):
    CAPTURED = "captured"  # noted, not yet being tested
    ACTIVE = "active"  # being tested
    VALIDATED = "validated"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"  # tested, evidence did not decide; may be reactivated
    RETIRED = "retired"  # set aside (superseded or no longer relevant)


HYPOTHESIS_TRANSITIONS: dict[HypothesisState, frozenset[HypothesisState]] = {
    HypothesisState.CAPTURED: frozenset({HypothesisState.ACTIVE, HypothesisState.RETIRED}),
    HypothesisState.ACTIVE: frozenset({HypothesisState.VALIDATED, HypothesisState.REFUTED,
                                       HypothesisState.INCONCLUSIVE, HypothesisState.RETIRED}),
    HypothesisState.INCONCLUSIVE: frozenset({HypothesisState.ACTIVE, HypothesisState.RETIRED}),
    # A validated cause can later be superseded by a better one; a refuted or retired one stays put.
    HypothesisState.VALIDATED: frozenset({HypothesisState.RETIRED}),
    HypothesisState.REFUTED: frozenset(),
    HypothesisState.RETIRED: frozenset(),
}
OPEN_HYPOTHESIS_STATES = frozenset({HypothesisState.CAPTURED, HypothesisState.ACTIVE, HypothesisState.INCONCLUSIVE})


class RunbookSupport(BaseModel):
    """A knowledge-base passage that bears on a hypothesis: why a runbook is cited, and what it says to do first."""

    document_id: str
    title: str = Field(max_length=300)
    passage: str = Field(default="", max_length=600)
    first_step: str | None = Field(default=None, max_length=300)
    score: float = Field(default=0.0, ge=0.0, le=1.0)


class Hypothesis(BaseModel):
    hypothesis_id: str
    text: str = Field(min_length=1, max_length=500)
    likelihood: float = Field(default=0.5, ge=0.0, le=1.0)
    state: HypothesisState = HypothesisState.CAPTURED
    evidence_ids: list[str] = Field(default_factory=list)
    support: list[RunbookSupport] = Field(default_factory=list)  # the runbooks and passages that bear on it
    refutation_reason: str | None = Field(default=None, max_length=200)
    retirement_reason: str | None = Field(default=None, max_length=500)
    created_at: str
    updated_at: str

    def move_to(self, target: HypothesisState, reason: str | None = None) -> None:
        """Change state along a legal edge (a no-op when already there); 409 otherwise."""
        if target == self.state:
            return
        if target not in HYPOTHESIS_TRANSITIONS[self.state]:
            raise Conflict(f"hypothesis {self.hypothesis_id} cannot go from {self.state.value} to {target.value}",
                           code="ILLEGAL_HYPOTHESIS_TRANSITION")
        self.state = target
        if target == HypothesisState.REFUTED and reason:
            self.refutation_reason = reason[:200]
        if target == HypothesisState.RETIRED and reason:
            self.retirement_reason = reason[:500]
