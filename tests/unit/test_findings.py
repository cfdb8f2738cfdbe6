"""The case record from what was said: offline extraction, and a model's extraction kept only when grounded."""

from __future__ import annotations

from faultmaven.copilot.doctrine import EvidenceDigest
from faultmaven.copilot.findings import (
    Findings,
    adopt_grounded,
    fix_from,
    follow_ups_from,
    grounded,
    impact_from,
    timeline_from,
)
from faultmaven.copilot.prompting import parse_answer

SAID = "Checkout returns 503 for 30% of requests in eu-west-1. We rolled back the pgbouncer config at 10:02."
LOG = EvidenceDigest(filename="api.log", source_type="logs", error_count=3, first_error_at="2026-11-25T09:14:00Z",
                     top_errors=["pool: connection refused to <*>:5432"])


def test_offline_extraction_keeps_the_engineers_words() -> None:
    assert impact_from(SAID) == "Checkout returns 503 for 30% of requests in eu-west-1."
    assert fix_from(SAID) == "We rolled back the pgbouncer config at 10:02."
    assert timeline_from(SAID, [LOG]) == [
        "2026-11-25T09:14:00Z — first error in api.log: pool: connection refused to <*>:5432",
        "We rolled back the pgbouncer config at 10:02."]
    assert fix_from("the errors are still there") is None and impact_from("users complain") is None


def test_a_models_extraction_is_used_only_where_allowed_and_grounded() -> None:
    mine = Findings(impact="offline impact", solution=None)
    extracted = Findings(impact="30% of checkout requests in eu-west-1 fail with 503",
                         root_cause="A kernel bug in the NIC driver", solution="rolled back the pgbouncer config",
                         timeline=["10:02 rolled back the pgbouncer config", "08:00 a meteor hit the datacenter"])
    adopt_grounded(mine, extracted, {"impact", "root_cause"}, SAID)
    assert mine.impact == extracted.impact  # grounded and allowed
    assert mine.root_cause is None  # allowed, but nobody said it
    assert mine.solution is None  # grounded, but not this turn's to fill
    assert mine.timeline == ["10:02 rolled back the pgbouncer config"]
    assert not grounded("", SAID) and grounded("pgbouncer config rolled back", SAID)


def test_a_clumsy_extraction_never_costs_the_answer() -> None:
    answer = parse_answer({"reply": "ok", "impact": "x" * 5000, "timeline": ["a", 3, "b", "c", "d", "e", "f"],
                           "fix": 42})
    assert answer is not None and len(answer.impact) == 1000 and answer.timeline == ["a", "b", "c", "d", "e"]
    assert answer.fix is None


FOLLOW_UPS = ["Going forward we will add an alert on pool usage.", "Follow-up: raise the pool in staging too.",
              "Action item: document the rollback.", "We should add a runbook for pgbouncer.",
              "Next time we need to test the migration on a copy first.", "TODO: cap the retries."]
NOT_FOLLOW_UPS = ["We rolled back at 10:02.", "The errors stopped.", "Checkout returns 503 for 30% of requests.",
                  "We will see.", "Add more logs to the case please"]


def test_follow_ups_are_the_sentences_naming_work_for_later() -> None:
    text = " ".join(NOT_FOLLOW_UPS[:3] + FOLLOW_UPS + NOT_FOLLOW_UPS[3:])
    assert follow_ups_from(text) == FOLLOW_UPS
    for sentence in NOT_FOLLOW_UPS:
        assert follow_ups_from(sentence) == [], sentence
    assert follow_ups_from(FOLLOW_UPS[0] + " " + FOLLOW_UPS[0]) == [FOLLOW_UPS[0]]  # said twice, listed once
