"""Reciprocal rank fusion and the keyword query terms."""

from __future__ import annotations

import pytest

from faultmaven.knowledge.query_terms import MAX_TERMS, query_terms
from faultmaven.knowledge.ranking import RRF_K, reciprocal_rank_fusion


def test_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]]))
    assert fused["a"] == pytest.approx(1 / (RRF_K + 1))
    assert fused["b"] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert fused["c"] == pytest.approx(1 / (RRF_K + 3))
    assert fused["d"] == pytest.approx(1 / (RRF_K + 2))


def test_agreement_between_lists_beats_a_single_first_place() -> None:
    order = [item for item, _ in reciprocal_rank_fusion([["a", "b"], ["c", "b"]])]
    assert order[0] == "b"
    assert set(order) == {"a", "b", "c"}


def test_ties_keep_first_seen_order_and_the_constant_matters() -> None:
    assert [i for i, _ in reciprocal_rank_fusion([["x", "y"], ["y", "x"]])] == ["x", "y"]
    # With k = 0 a single first place beats two third places; with k = 60 it does not.
    lists = [["solo", "p", "both"], ["q", "r", "both"]]
    assert reciprocal_rank_fusion(lists, k=0)[0][0] == "solo"
    assert reciprocal_rank_fusion(lists, k=60)[0][0] == "both"


def test_empty_inputs_and_bad_constant() -> None:
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=-1)


def test_query_terms_drop_stop_words_and_duplicates() -> None:
    assert query_terms("Why are the pods stuck in Pending? pods PENDING!") == ["why", "pods", "stuck", "pending"]
    assert query_terms("node is not ready, api down") == ["node", "not", "ready", "api", "down"]
    assert query_terms("it is the") == ["it", "is", "the"]  # nothing but stop words: keep them
    assert query_terms("?!") == []
    assert len(query_terms(" ".join(f"w{i}" for i in range(200)))) == MAX_TERMS
