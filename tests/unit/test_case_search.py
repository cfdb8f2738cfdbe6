"""Queries built from the case: which ones, with what weight, and how their answers are fused."""

from __future__ import annotations

import pytest

from faultmaven.copilot.case_search import (
    CaseQuery,
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
    queries = _queries("is it the kernel dropping packets?", weights=QueryWeights(evidence_by="count"),
                       templates=[("[<*>] nf_conntrack: table full, dropping packet", 25),
                                  ("ACPI Error: No handler <*>", 4)],
                       hypotheses=[("hyp_1", "The errors 'nf_conntrack: table full' in kern.log point at it")],
                       recent=["only pods on one node, 5% of requests"])
    kinds = [q.kind for q in queries]
    assert kinds == ["symptom", "evidence", "pair", "evidence", "pair", "hypothesis", "engineer", "recent", "case"]
    assert "<*>" not in queries[1].text and queries[1].weight > queries[3].weight  # the leading error counts most
    assert queries[5].text == "nf_conntrack: table full" and queries[5].hypothesis_id == "hyp_1"


def test_the_symptom_pairs_with_each_leading_error_and_the_whole_case_is_one_more_query() -> None:
    queries = _queries("", templates=[("nf_conntrack: table full, dropping packet", 25), ("ACPI Error", 5)],
                       recent=["only pods on one node, 5% of requests"], weights=QueryWeights(evidence_by="count"))
    pairs = [q for q in queries if q.kind == "pair"]
    assert [q.text for q in pairs] == ["checkout times out on node ip-10-0-3-17 nf_conntrack: table full, dropping "
                                       "packet", "checkout times out on node ip-10-0-3-17 ACPI Error"]
    assert pairs[0].weight == 1.0 and pairs[1].weight == 5 / 25  # a pair counts as much as its error
    [case] = [q for q in queries if q.kind == "case"]
    assert all(part in case.text for part in ("checkout times out", "nf_conntrack", "ACPI", "only pods on one node"))
    # Before a problem is stated, the engineer's sentence (when it says something) is the symptom of the pairs.
    early = build_queries(problem=None, user_text="timeouts on one node", recent=[], hypotheses=[],
                          templates=[("nf_conntrack: table full", 3)], weights=QueryWeights())
    assert "timeouts on one node nf_conntrack: table full" in [q.text for q in early if q.kind == "pair"]
    assert not [q for q in build_queries(problem=None, user_text="which runbook applies?", recent=[], hypotheses=[],
                                         templates=[("nf_conntrack: table full", 3)], weights=QueryWeights())
                if q.kind == "pair"]


def test_similarity_fusion_lets_a_strong_hit_outweigh_weak_ones() -> None:
    answers = {"first query": [("strong", 1.0), ("weak", 0.6)], "second query": [("weak", 0.6)],
               "third query": [("weak", 0.6)]}

    def search(text: str) -> list[RankedHit]:
        return [RankedHit(d, d, "", s) for d, s in answers[text]]

    queries = build_queries(problem="first query", user_text="second query", recent=["third query"], templates=[],
                            hypotheses=[], weights=QueryWeights(case=0.0, recent=1.0))
    by_similarity = search_case(queries, search, 2, QueryWeights(fusion="similarity", sharpness=4.0))
    assert [h.document_id for h in by_similarity.cited] == ["strong", "weak"]  # 1.0 > 3 x 0.6 ** 4
    by_rank = search_case(queries, search, 2, QueryWeights(fusion="rank"))
    assert [h.document_id for h in by_rank.cited] == ["weak", "strong"]  # three ranks beat one


def test_a_generic_question_adds_no_query() -> None:
    base = _queries("", templates=[("nf_conntrack: table full", 3)])
    assert _queries("which runbook applies?", templates=[("nf_conntrack: table full", 3)]) == base


def test_evidence_weight_by_order_or_by_lines() -> None:
    templates = [("ACPI Error: No handler", 4), ("nf_conntrack: table full, dropping packet", 25)]
    by_order = [q.weight for q in _queries("", templates=templates, weights=QueryWeights(evidence_by="order"))
                if q.kind == "evidence"]
    by_count = [q.weight for q in _queries("", templates=templates, weights=QueryWeights(evidence_by="count"))
                if q.kind == "evidence"]
    flat = [q.weight for q in _queries("", templates=templates, weights=QueryWeights(evidence_by="flat"))
            if q.kind == "evidence"]
    assert by_order == [1.0, 0.5] and by_count == [4 / 25, 1.0] and flat == [1.0, 1.0]


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
    assert leading_templates(templates, 4) == [("rare fatal", 1), ("common error", 9), ("disk latency high", 2),
                                               ("nf_conntrack: table full, dropping packet", 25)]


def test_fusion_weights_and_per_hypothesis_support() -> None:
    answers = {"symptom words here": ["a", "b"], "hypothesis words": ["b", "c"]}

    def search(text: str) -> list[RankedHit]:
        return [RankedHit(d, d.upper(), f"passage {d}", 0.9) for d in answers[text]]

    queries = build_queries(problem="symptom words here", user_text="", recent=[], templates=[],
                            hypotheses=[("hyp_9", "hypothesis words")], weights=QueryWeights())
    result = search_case(queries, search, limit=3)
    assert [h.document_id for h in result.cited] == ["b", "a", "c"]  # found by both queries first
    assert [h.document_id for h in result.support["hyp_9"]] == ["b", "c"]
    assert [h.document_id for h in search_case(queries, search, 3, QueryWeights(per_query=1)).cited] == ["a", "b"]


def test_first_step_is_the_first_command_or_item_of_the_diagnosis() -> None:
    doc = "# X\n## Meaning\nText.\n## Diagnosis\nCheck this first.\n\n```console\n$ etcdctl endpoint status\n```\n"
    assert first_step(doc) == "$ etcdctl endpoint status"
    assert first_step("# X\n## Mitigation\n1. Raise the limit.\n2. Restart.\n") == "Raise the limit."
    assert first_step("# X\n## Meaning\nNothing to do.\n") is None


class _FakeKnowledge:
    """Answers each query with the documents whose name it contains; every document's Diagnosis starts with a step."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def search(self, reader: object, query: str, **_: object) -> list:
        from types import SimpleNamespace

        self.asked.append(query)
        return [SimpleNamespace(document=SimpleNamespace(document_id=d, title=d), excerpt=f"about {d}",
                                score=0.9) for d in ("conntrack", "etcd", "dns") if d in query]

    def get(self, reader: object, document_id: str) -> tuple[None, str]:
        return None, f"# {document_id}\n## Diagnosis\n1. Check {document_id} first.\n"


def _case(states: dict[str, str]) -> object:
    from faultmaven.cases.hypotheses import Hypothesis, HypothesisState
    from faultmaven.cases.model import Case

    at = "2026-11-26T00:00:00.000000Z"
    return Case(case_id="case_1", user_id="u", title="Case-261126-1", created_at=at, updated_at=at,
                last_activity_at=at, problem_statement="requests time out on one node",
                hypotheses=[Hypothesis(hypothesis_id=f"hyp_{text}", text=f"The errors '{text} errors seen' in a.log",
                                       state=HypothesisState(state), created_at=at, updated_at=at)
                            for text, state in states.items()])


def test_a_refuted_hypothesis_stops_steering_the_citations() -> None:
    from faultmaven.copilot.case_knowledge import CaseKnowledge
    from faultmaven.knowledge.documents import Reader
    from faultmaven.sanitize import PlaceholderMap, Sanitizer

    kb = _FakeKnowledge()
    knowledge = CaseKnowledge(lambda: kb, Sanitizer())  # type: ignore[arg-type,return-value]
    reader = Reader(user_id="u", team_ids=())
    both = knowledge.cite(reader, _case({"conntrack": "active", "etcd": "captured"}), "which runbook applies?",
                          [], [], PlaceholderMap())
    assert {h.document_id for h in both.hits} == {"conntrack", "etcd"}
    assert set(both.support) == {"hyp_conntrack", "hyp_etcd"}
    hit = next(h for h in both.hits if h.document_id == "conntrack")
    assert hit.first_step == "Check conntrack first." and hit.supports and "conntrack" in hit.supports
    one = knowledge.cite(reader, _case({"conntrack": "refuted", "etcd": "active"}), "which runbook applies?",
                         [], [], PlaceholderMap())
    assert [h.document_id for h in one.hits] == ["etcd"]


def test_a_message_logged_as_a_quoted_value_is_read_from_the_example() -> None:
    klog = ('Nov 26 14:02:05 worker-7 kubelet[2301]: E1126 14:02:05.112233    2301 kubelet.go:2366] "Skipping pod '
            'synchronization" err="PLEG is not healthy: pleg was last seen active 3m45s ago; threshold is 3m0s"')
    [(text, count)] = leading_templates([{"template": "<*> err=<*>", "level": "error", "count": 20,
                                          "example": klog}], 3)
    assert "PLEG is not healthy" in text and "worker-7" not in text and count == 20


def test_an_error_field_of_a_structured_line_joins_its_message() -> None:
    logfmt = ('time="2026-11-26T06:05:10.5Z" level=error msg="response completed with error" err.code=unknown '
              'err.detail="filesystem: write /registry/v2/data: no space left on device" http.response.status=500')
    [(text, _)] = leading_templates([{"template": "response completed with error", "level": "error", "count": 3,
                                      "example": logfmt}], 3)
    assert text.startswith("response completed with error") and "no space left on device" in text
    assert "/registry" not in text  # paths are variables


def test_a_cut_example_never_replaces_a_template_that_says_more() -> None:
    template = "grpc: addrConn.createTransport failed: certificate has expired or is not yet valid"
    [(text, _)] = leading_templates([{"template": template, "level": "warning", "count": 2,
                                      "example": "W1126 grpc: addrConn.createTransport failed"}], 3)
    assert text == template


def test_what_a_turn_stored_in_place_of_text_is_not_a_recent_query() -> None:
    queries = _queries("", recent=["(confirmation)", "(attached kern.log)"])
    assert [q.kind for q in queries] == ["symptom"]


def test_title_coverage_reads_camel_case_names_and_stems() -> None:
    from faultmaven.copilot.case_search import stems, title_coverage

    words = stems(["Can't synchronise: no selectable sources", "System clock wrong on node db-auth-3"])
    assert title_coverage("NodeClockNotSynchronising", words) == 3 / 4  # all but "not"
    assert title_coverage("Database failover runbook", stems(["the databases are down"])) == 1 / 3
    assert title_coverage("", words) == 0.0


def test_a_runbook_named_for_what_the_case_says_moves_up() -> None:
    answers = {"chrony: can't synchronise, system clock wrong": [("hub", "ACMRemoteWriteError", 1.0),
                                                                 ("clock", "NodeClockNotSynchronising", 0.9)]}

    def search(text: str) -> list[RankedHit]:
        return [RankedHit(d, title, "", s) for d, title, s in answers[text]]

    queries = build_queries(problem="chrony: can't synchronise, system clock wrong", user_text="", recent=[],
                            templates=[], hypotheses=[], weights=QueryWeights(meaning=0.0))
    assert [h.document_id for h in search_case(queries, search, 2, QueryWeights(title=0.0)).cited] == \
        ["hub", "clock"]
    assert [h.document_id for h in search_case(queries, search, 2, QueryWeights(title=1.0)).cited] == \
        ["clock", "hub"]


def test_a_wrapped_error_adds_its_cause_and_pairs_the_symptom_with_the_cause() -> None:
    chain = ("failed to provision volume with StorageClass enc: rpc error: code = Internal desc = failed to connect "
             "to KMS vault: context deadline exceeded")
    queries = _queries("", templates=[(chain, 10)], weights=QueryWeights(cause_head=False))
    [cause] = [q for q in queries if q.kind == "cause"]
    assert cause.text == "code = Internal: failed to connect to KMS vault: context deadline exceeded"
    [pair] = [q for q in queries if q.kind == "pair"]
    assert pair.text.endswith(cause.text) and "provision" not in pair.text
    [headed] = [q for q in _queries("", templates=[(chain, 10)]) if q.kind == "cause"]  # the default keeps the head
    assert headed.text == f"failed to provision volume with StorageClass enc: {cause.text}"
    whole = _queries("", templates=[(chain, 10)], weights=QueryWeights(pair_with="error"))
    assert "provision" in next(q.text for q in whole if q.kind == "pair")
    assert not [q for q in _queries("", templates=[(chain, 10)], weights=QueryWeights(cause=0.0)) if q.kind == "cause"]


def test_an_error_code_adds_its_plain_words_once() -> None:
    queries = _queries("every call fails with ENOTFOUND", templates=[("getaddrinfo ENOTFOUND <*>", 30),
                                                                     ("lookup payments: no such host", 3)])
    meaning = [q.text for q in queries if q.kind == "meaning"]
    assert meaning == ["DNS lookup failed: the domain name does not exist (NXDOMAIN)"]
    assert not [q for q in _queries("the checkout page is slow") if q.kind == "meaning"]


def test_a_hub_that_answers_generic_failure_sentences_is_damped() -> None:
    from faultmaven.copilot.case_search import BACKGROUND

    def search(text: str) -> list[RankedHit]:
        hub = RankedHit("hub", "RequestErrorsHigh", "", 1.0 if text in BACKGROUND else 0.95)
        return [hub] + ([RankedHit("fd", "FileDescriptorLimit", "", 0.9)] if text not in BACKGROUND else [])

    queries = [CaseQuery("evidence", "accept() failed: too many open files", 1.0)]
    assert [h.document_id for h in search_case(queries, search, 2, QueryWeights(title=0.0)).cited] == ["hub", "fd"]
    damped = search_case(queries, search, 2, QueryWeights(title=0.0, background=0.5))
    assert [h.document_id for h in damped.cited] == ["fd", "hub"]
