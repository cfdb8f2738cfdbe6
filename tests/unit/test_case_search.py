"""Queries built from the case: which ones, with what weight, and how their answers are fused."""

from __future__ import annotations

import pytest

from faultmaven.copilot.case_search import (
    QueryWeights,
    RankedHit,
    alert_names,
    build_queries,
    first_step,
    is_generic,
    leading_templates,
    search_case,
)


@pytest.mark.parametrize("text", ["what is the most likely root cause?", "Which runbook applies?", "ok, next step?",
                                  "any ideas what's going on?", ""])
def test_generic_questions(text: str) -> None:
    assert is_generic(text)


@pytest.mark.parametrize("text", ["is it the conntrack table?", "only eu-west users", "we deployed v2.3 at 09:05"])
def test_questions_with_content(text: str) -> None:
    assert not is_generic(text)


def _queries(user_text: str, **kw: object) -> list:
    args = {"problem": "checkout times out on node ip-10-0-3-17", "recent": [], "templates": [],
            "hypotheses": [], "weights": QueryWeights()}
    args.update(kw)
    return build_queries(user_text=user_text, **args)  # type: ignore[arg-type]


def test_one_query_per_thing_the_case_knows() -> None:
    queries = _queries("is it the kernel dropping packets?",
                       templates=["[<*>] nf_conntrack: table full, dropping packet", "ACPI Error: No handler <*>"],
                       hypotheses=[("hyp_1", "The errors 'nf_conntrack: table full' in kern.log point at it")],
                       recent=["only pods on one node, 5% of requests"])
    kinds = [q.kind for q in queries]
    assert kinds == ["symptom", "evidence", "evidence", "hypothesis", "engineer", "recent"]
    assert "<*>" not in queries[1].text and queries[1].weight > queries[2].weight  # the leading error counts most
    assert queries[3].text == "nf_conntrack: table full" and queries[3].hypothesis_id == "hyp_1"


def test_a_generic_question_adds_no_query() -> None:
    base = _queries("", templates=["nf_conntrack: table full"])
    assert _queries("which runbook applies?", templates=["nf_conntrack: table full"]) == base


def test_alert_names_become_queries() -> None:
    assert alert_names(["[FIRING:1] KubeAPIErrorBudgetBurn (severity=critical)", "alertname=TargetDown"]) == \
        ["KubeAPIErrorBudgetBurn", "TargetDown"]
    alert = [q for q in _queries("", problem="Alert CoreDNSErrorsHigh is firing") if q.kind == "alert"]
    assert alert and "Core DNS Errors High" in alert[0].text


def test_leading_templates_prefer_levels_then_failure_words_then_counts() -> None:
    templates = [{"template": "Started Session <*> of user root.", "level": "unknown", "count": 50},
                 {"template": "nf_conntrack: table full, dropping packet", "level": "unknown", "count": 25},
                 {"template": "disk latency high", "level": "warn", "count": 2},
                 {"template": "rare fatal", "level": "critical", "count": 1},
                 {"template": "common error", "level": "error", "count": 9}]
    assert leading_templates(templates, 4) == ["rare fatal", "common error", "disk latency high",
                                               "nf_conntrack: table full, dropping packet"]


def test_fusion_weights_and_per_hypothesis_support() -> None:
    answers = {"symptom words here": ["a", "b"], "hypothesis words": ["b", "c"]}

    def search(text: str) -> list[RankedHit]:
        return [RankedHit(d, d.upper(), f"passage {d}", 0.9) for d in answers[text]]

    queries = build_queries(problem="symptom words here", user_text="", recent=[], templates=[],
                            hypotheses=[("hyp_9", "hypothesis words")], weights=QueryWeights())
    result = search_case(queries, search, limit=3)
    assert [h.document_id for h in result.cited] == ["b", "a", "c"]  # found by both queries first
    assert [h.document_id for h in result.support["hyp_9"]] == ["b", "c"]


def test_first_step_is_the_first_command_or_item_of_the_diagnosis() -> None:
    doc = "# X\n## Meaning\nText.\n## Diagnosis\nCheck this first.\n\n```console\n$ etcdctl endpoint status\n```\n"
    assert first_step(doc) == "$ etcdctl endpoint status"
    assert first_step("# X\n## Mitigation\n1. Raise the limit.\n2. Restart.\n") == "Raise the limit."
    assert first_step("# X\n## Meaning\nNothing to do.\n") is None
