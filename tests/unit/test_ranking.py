"""Reciprocal rank fusion and the keyword query terms."""

from __future__ import annotations

import pytest

from faultmaven.knowledge.query_terms import MAX_TERMS, name_parts, query_terms, spell_out_names
from faultmaven.knowledge.ranking import (
    RRF_K,
    Fusion,
    convex_fusion,
    fuse_documents,
    fuse_passages,
    hybrid_ranking,
    reciprocal_rank_fusion,
    reweighed,
)


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


def test_camel_case_names_are_split_into_their_words() -> None:
    assert name_parts("KubePersistentVolumeFillingUp fired") == ["kube", "persistent", "volume", "filling", "up"]
    assert name_parts("CephOSDDiskNotResponding") == ["ceph", "osd", "disk", "not", "responding"]
    assert name_parts("etcdHighFsyncDurations, PostgreSQL_ConnectionsTooHigh") == [
        "etcd", "high", "fsync", "durations", "postgre", "sql", "connections", "too"]
    assert name_parts("plain words and snake_case_only") == []  # FTS5 already splits at underscores
    # The query keeps the name itself (it may appear verbatim) and adds its words.
    assert query_terms("KubeletDown on node-3") == ["kubeletdown", "node", "3", "kubelet", "down"]


def test_names_are_spelled_out_for_the_embedder_and_other_words_kept() -> None:
    assert spell_out_names("[FIRING:1] KubePodCrashLooping: pod etcd-0 (CephOSDDiskNotResponding)") == (
        "[FIRING:1] Kube Pod Crash Looping: pod etcd-0 (Ceph OSD Disk Not Responding)")
    assert spell_out_names("etcdHighFsyncDurations on node_exporter, API v2") == (
        "etcd High Fsync Durations on node_exporter, API v2")


def test_weighted_rrf_and_the_weights_decide() -> None:
    lists = [["kw"], ["vec"]]
    assert reciprocal_rank_fusion(lists, k=5, weights=[0.7, 0.3])[0][0] == "kw"
    assert reciprocal_rank_fusion(lists, k=5, weights=[0.3, 0.7])[0][0] == "vec"


def test_convex_fusion_scales_bm25_by_its_best_and_keeps_raw_cosine_when_asked() -> None:
    keyword = [("a", 12.0), ("b", 6.0)]
    semantic = [("b", 0.8), ("c", 0.4)]
    scaled = dict(convex_fusion([keyword, semantic], [0.5, 0.5], [True, True]))
    assert scaled == pytest.approx({"a": 0.5, "b": 0.5 * 0.5 + 0.5 * 1.0, "c": 0.5 * 0.5})
    raw = dict(convex_fusion([keyword, semantic], [0.5, 0.5], [True, False]))
    assert raw["b"] == pytest.approx(0.25 + 0.4)


def test_document_fusion_gives_one_slot_per_document_with_its_best_passage() -> None:
    doc = {"a1": "A", "a2": "A", "a3": "A", "b1": "B"}.__getitem__
    keyword = [("a1", 9.0), ("a2", 8.0), ("a3", 7.0), ("b1", 6.0)]
    semantic = [("a2", 0.9), ("b1", 0.85), ("a1", 0.2)]
    fused = fuse_documents([keyword, semantic], doc, Fusion("rrf", 0.5, 60))
    assert [doc(p) for p, _ in fused] == ["A", "B"]
    assert fused[0][0] == "a2"  # second and first beats first and third
    passages = [p for p, _ in fuse_passages([keyword, semantic], Fusion("rrf", 0.5, 60))]
    assert passages[:2] == ["a2", "a1"]  # without document fusion one document fills the first slots


def test_hybrid_scores_are_on_a_0_to_1_scale() -> None:
    doc = {"x": "X", "y": "Y", "z": "Z"}.__getitem__
    ranked = dict(hybrid_ranking([("x", 3.0), ("y", 1.5)], [("x", 0.7), ("z", 0.9)], doc, Fusion()))
    assert max(ranked.values()) <= 1.0 and min(ranked.values()) > 0
    both_first = hybrid_ranking([("x", 3.0)], [("x", 0.7)], doc, Fusion())
    assert both_first == [("x", pytest.approx(1.0))]
    vector_only = dict(hybrid_ranking([], [("z", 0.9)], doc, Fusion()))
    assert vector_only["z"] == pytest.approx(Fusion().vector_weight)
    for fusion in (Fusion("rrf", 0.5, 5), Fusion("convex", 0.6)):
        assert hybrid_ranking([("x", 3.0)], [("x", 0.7)], doc, fusion)[0][1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        Fusion(vector_weight=1.5)


def test_a_document_weight_scales_its_fused_score_and_can_reorder() -> None:
    doc = {"x": "X", "y": "Y"}.__getitem__
    keyword, semantic = [("x", 3.0), ("y", 2.7)], [("x", 0.8), ("y", 0.76)]
    assert [d for d, _ in hybrid_ranking(keyword, semantic, doc, Fusion())] == ["x", "y"]
    weighted = hybrid_ranking(keyword, semantic, doc, Fusion(), {"x": 0.8, "y": 1.0}.__getitem__)
    assert [d for d, _ in weighted] == ["y", "x"] and weighted[1][1] == pytest.approx(0.8)
    assert reweighed([("a", 1.0), ("b", 1.0)], lambda _: 0.5) == [("a", 0.5), ("b", 0.5)]  # ties keep their order
