"""The RCA harness on a small subset (benchmarks/rca.py runs all scenarios): the copilot, through the HTTP API,
cites the right runbook on the first answer with evidence and keeps citing it after generic follow-ups."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from benchmarks.rca import CATEGORIES, FOLLOW_UPS, Copilot, Outcome, load_scenarios
from faultmaven.container import set_container

KB = Path(__file__).resolve().parents[1] / "fixtures" / "rca_kb"
SUBSET = ("linux-conntrack-table-full", "dns-coredns-upstream-timeout", "db-etcd-space-exceeded")


@pytest.fixture(scope="module")
def copilot() -> Iterator[tuple[Copilot, dict[str, str]]]:
    with tempfile.TemporaryDirectory(prefix="fm-rca-test-") as tmp:
        c = Copilot(Path(tmp) / "data")
        try:
            yield c, c.load_kb(KB)
        finally:
            c.close()
            set_container(None)


@pytest.fixture(scope="module")
def outcomes(copilot: tuple[Copilot, dict[str, str]]) -> dict[str, Outcome]:
    c, _ = copilot
    categories = yaml.safe_load(CATEGORIES.read_text(encoding="utf-8"))
    return {s.id: c.run(s, categories) for s in load_scenarios(set(SUBSET))}


@pytest.mark.parametrize("scenario_id", SUBSET)
def test_right_runbook_first_and_after_generic_follow_ups(outcomes: dict[str, Outcome],
                                                          copilot: tuple[Copilot, dict[str, str]],
                                                          scenario_id: str) -> None:
    _, ids = copilot
    outcome = outcomes[scenario_id]
    assert outcome.runbook_first(ids) is True, outcome.first_sources
    assert len(outcome.follow_up_sources) == len(FOLLOW_UPS)
    assert outcome.runbook_follow_ups(ids) is True, outcome.follow_up_sources
    assert not outcome.red_herring_blamed


def test_same_generic_question_different_incidents_different_citations(outcomes: dict[str, Outcome],
                                                                       copilot: tuple[Copilot, dict[str, str]]
                                                                       ) -> None:
    _, ids = copilot
    conntrack, etcd = outcomes["linux-conntrack-table-full"], outcomes["db-etcd-space-exceeded"]
    for question in range(len(FOLLOW_UPS)):
        a, b = conntrack.follow_up_sources[question][:3], etcd.follow_up_sources[question][:3]
        assert a != b
        assert ids["network-observability-operator/PacketDropsByKernel.md"] in a
        assert ids["cluster-etcd-operator/etcdDatabaseQuotaLowSpace.md"] in b


def test_hypotheses_carry_their_runbooks(copilot: tuple[Copilot, dict[str, str]]) -> None:
    c, ids = copilot
    scenario = load_scenarios({"dns-coredns-upstream-timeout"})[0]
    case_id = c.client.post("/api/v1/cases", json={}, headers=c.headers).json()["case_id"]
    log = scenario.evidence[0]
    c.turn(case_id, query=scenario.opening, files=(log.name, log.read_bytes(), "text/plain"))
    c.turn(case_id, query="", intent_type="confirmation", intent_data='{"decision": "yes"}')
    for reply in scenario.replies:
        c.turn(case_id, query=reply)
    hypotheses = c.hypotheses(case_id)
    supported = [h for h in hypotheses if h["support"]]
    assert supported, hypotheses
    assert all(s["document_id"] in ids.values() and s["title"] and s["passage"]
               for h in supported for s in h["support"])
    # A generic question neither changes the support nor the citations.
    before = [(h["hypothesis_id"], [s["document_id"] for s in h["support"]]) for h in hypotheses]
    first = c.turn(case_id, query=FOLLOW_UPS[1])
    again = c.turn(case_id, query=FOLLOW_UPS[1])
    assert [(h["hypothesis_id"], [s["document_id"] for s in h["support"]]) for h in c.hypotheses(case_id)] == before
    assert [s["metadata"]["document_id"] for s in first["sources"]] == \
        [s["metadata"]["document_id"] for s in again["sources"]]
    assert "first step from it" in first["agent_response"]
    assert ids["cluster-dns-operator/CoreDNSErrorsHigh.md"] in [s["metadata"]["document_id"] for s in first["sources"]]
