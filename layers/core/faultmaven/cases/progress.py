"""The six progress indicators of an investigation and the stage they imply."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from faultmaven.cases.lifecycle import CaseState, InvestigationStage


class ProgressIndicator(StrEnum):
    SYMPTOM_VERIFIED = "symptom_verified"
    SCOPE_ASSESSED = "scope_assessed"  # doctrine phase 1: blast radius
    TIMELINE_ESTABLISHED = "timeline_established"  # phase 2
    CHANGES_IDENTIFIED = "changes_identified"  # phase 2
    ROOT_CAUSE_IDENTIFIED = "root_cause_identified"  # phase 4: hypotheses validated with evidence
    SOLUTION_PROPOSED = "solution_proposed"  # phase 5


def ordered(indicators: Iterable[ProgressIndicator | str]) -> list[ProgressIndicator]:
    """Indicators without duplicates, in doctrine order."""
    done = {ProgressIndicator(i) for i in indicators}
    return [i for i in ProgressIndicator if i in done]


def derive_stage(state: CaseState, indicators: Iterable[ProgressIndicator]) -> InvestigationStage | None:
    """Where an investigation stands: none before it starts; treatment once the root cause is known; mitigation
    when a fix is proposed without a known cause; diagnosis until then. Terminal cases keep their last stage."""
    if state == CaseState.INQUIRY:
        return None
    done = set(indicators)
    if ProgressIndicator.ROOT_CAUSE_IDENTIFIED in done:
        return InvestigationStage.TREATMENT
    if ProgressIndicator.SOLUTION_PROPOSED in done:
        return InvestigationStage.MITIGATION
    return InvestigationStage.DIAGNOSIS
