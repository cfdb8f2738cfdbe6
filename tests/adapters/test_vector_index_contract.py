"""One contract for every VectorIndex adapter: the embedded SQLite index and S3 Vectors (a real boto3 client answered
by tests/support/s3vectors_stub.py) always; OpenSearch when OPENSEARCH_URL is set, and the real S3 Vectors when
S3VECTORS_BUCKET names a vector bucket the AWS credentials may write to (both `live`).

Vectors come from a tiny hashing embedder so the cases are exact and need no model. Each case gets a fresh index
(the OpenSearch run uses a fresh index name per case and deletes it afterwards).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.knowledge.alert_query import TITLE_PRIOR, search_text
from faultmaven.ports.embedder import EmbeddingSpace
from faultmaven.ports.vector_index import Chunk, EmbeddingSpaceMismatch, PrincipalFilter, VectorExport, VectorIndex
from tests.support.s3vectors_stub import stub_client

SPACE = EmbeddingSpace(model_id="test/hashing-bow", dim=64)
OTHER_SPACE = EmbeddingSpace(model_id="test/other-model", dim=64)
MODES = ("hybrid", "bm25", "vector")


def embed(texts: list[str], dim: int = SPACE.dim) -> np.ndarray:
    """Bag of words hashed into `dim` buckets, L2-normalised: shared words mean a higher cosine."""
    out = np.zeros((len(texts), dim), np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, int(hashlib.sha1(word.encode()).hexdigest(), 16) % dim] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def chunk(doc: str, owner: str, text: str, ordinal: int = 0, scope: str = "personal", team: str | None = None) -> Chunk:
    return Chunk(chunk_id=f"{doc}#{ordinal}", document_id=doc, owner_id=owner, scope=scope, team_id=team,
                 title=f"Runbook {doc}", heading_path=["Diagnosis"], text=text, ordinal=ordinal)


def put(index: VectorIndex, chunks: list[Chunk]) -> None:
    index.upsert(chunks, embed([c.embedding_text for c in chunks]))


def search(index: VectorIndex, query: str, who: PrincipalFilter, k: int = 10, mode: str = "hybrid") -> list[Chunk]:
    return [h.chunk for h in index.search(query, embed([query])[0], who, k=k, mode=mode)]  # type: ignore[arg-type]


ALICE = PrincipalFilter(owner_id="alice", team_ids=["sre"])
BOB = PrincipalFilter(owner_id="bob")

IndexFactory = Callable[[EmbeddingSpace], VectorIndex]


def _sqlite_factory(tmp_path: Path) -> IndexFactory:
    db = SqliteDatabase(tmp_path / "kb.sqlite")
    return lambda space: SqliteVectorIndex(db, space)


def _opensearch_factory(name: str) -> Iterator[IndexFactory]:
    from faultmaven.adapters.opensearch.vector_index import OpenSearchVectorIndex, client_from_settings
    from faultmaven.settings import Settings

    client = client_from_settings(Settings(opensearch_url=os.environ["OPENSEARCH_URL"]))
    index_name = f"fm-contract-{name}-{os.getpid()}"
    yield lambda space: OpenSearchVectorIndex(client, index_name, space, refresh=True)
    client.indices.delete(index=index_name, ignore_unavailable=True)


def _s3vectors_factory(client: Any, bucket: str, name: str) -> Iterator[IndexFactory]:
    from faultmaven.adapters.s3vectors.vector_index import S3VectorsIndex

    yield lambda space: S3VectorsIndex(client, bucket, name, space)
    with contextlib.suppress(client.exceptions.NotFoundException):
        client.delete_index(vectorBucketName=bucket, indexName=name)


@pytest.fixture(params=["sqlite", "s3vectors-stub", pytest.param("opensearch", marks=pytest.mark.live),
                        pytest.param("s3vectors", marks=pytest.mark.live)])
def make_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IndexFactory]:
    name = re.sub(r"\W+", "-", request.node.name.lower()).strip("-")[:40]
    if request.param == "sqlite":
        yield _sqlite_factory(tmp_path)
    elif request.param == "s3vectors-stub":
        yield from _s3vectors_factory(stub_client()[0], "fm-contract", "fm-contract")
    elif request.param == "opensearch":
        if not os.environ.get("OPENSEARCH_URL"):
            pytest.skip("OPENSEARCH_URL is not set")
        yield from _opensearch_factory(name)
    else:
        if not os.environ.get("S3VECTORS_BUCKET"):
            pytest.skip("S3VECTORS_BUCKET is not set")
        import boto3

        client = boto3.client("s3vectors")
        yield from _s3vectors_factory(client, os.environ["S3VECTORS_BUCKET"], f"fm-{name}-{os.getpid()}"[:63])


@pytest.fixture
def index(make_index: IndexFactory) -> VectorIndex:
    return make_index(SPACE)


@pytest.mark.parametrize("mode", MODES)
def test_upsert_then_search_finds_the_chunk(index: VectorIndex, mode: str) -> None:
    put(index, [chunk("d1", "alice", "etcd member lost quorum after a disk failure"),
                chunk("d2", "alice", "ingress router returns 503 for every route")])
    found = search(index, "etcd quorum lost", ALICE, k=1, mode=mode)
    assert [c.chunk_id for c in found] == ["d1#0"]
    assert found[0].title == "Runbook d1" and found[0].heading_path == ["Diagnosis"]


def test_hybrid_hits_report_both_ranks(index: VectorIndex) -> None:
    put(index, [chunk("d1", "alice", "etcd member lost quorum")])
    [hit] = index.search("etcd quorum", embed(["etcd quorum"])[0], ALICE, k=5)
    assert hit.bm25_rank == 1 and hit.vector_rank == 1 and hit.score == pytest.approx(1.0)


def test_hybrid_gives_each_document_one_slot_its_best_passage(index: VectorIndex) -> None:
    put(index, [chunk("big", "alice", f"etcd backup schedule, note {i}", i) for i in range(4)]
        + [chunk("big", "alice", "etcd quorum lost", 4), chunk("small", "alice", "etcd member quorum warning")])
    hits = index.search("etcd quorum lost", embed(["etcd quorum lost"])[0], ALICE, k=5)
    assert [h.chunk.document_id for h in hits] == ["big", "small"]
    assert hits[0].chunk.chunk_id == "big#4"  # first in both lists: the best passage
    assert 1.0 >= hits[0].score > hits[1].score > 0


ALERT = ("[FIRING:1] KubeAPIDown: Target disappeared from Prometheus target discovery. — KubeAPI has disappeared "
         "from Prometheus target discovery.")


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_an_alert_notification_finds_the_runbook_named_for_its_alert_first(index: VectorIndex, mode: str) -> None:
    # The sibling's text repeats the shared description word for word; the named runbook words it differently.
    named = chunk("api", "alice", "The API servers have not been reachable by the monitoring stack.")
    sibling = chunk("scheduler", "alice", "KubeScheduler has disappeared from Prometheus target discovery: the "
                    "target disappeared, Prometheus target discovery lost it.")
    others = [chunk(f"other{i}", "alice", text) for i, text in enumerate(
        ["etcd member lost quorum", "ingress router returns 503", "disk pressure evicts pods",
         "certificate expires soon", "node clock not synchronising", "registry garbage collection is slow"])]
    put(index, [named.model_copy(update={"title": "KubeAPIDown"}),
                sibling.model_copy(update={"title": "KubeSchedulerDown"}), *others])
    found = search(index, ALERT, ALICE, k=3, mode=mode)
    assert [c.document_id for c in found][:2] == ["api", "scheduler"]
    # The same words typed as prose name no alert: the sibling that repeats them comes first.
    prose = ALERT.removeprefix("[FIRING:1] KubeAPIDown: ")
    assert search(index, prose, ALICE, k=1, mode=mode)[0].document_id == "scheduler"


def test_an_alert_weighs_a_fused_document_by_how_much_of_its_title_the_alert_words(index: VectorIndex) -> None:
    put(index, [chunk("d1", "alice", "etcd member lost quorum"),
                chunk("d2", "bob", "etcd member lost quorum").model_copy(update={"title": "member quorum"}),
                chunk("d3", "carol", "etcd member lost quorum").model_copy(update={"title": "member certificates"})])
    alert = "[FIRING:1] EtcdQuorumLost: etcd member lost quorum"
    [hit] = index.search(alert, embed([search_text(alert)])[0], ALICE, k=5)
    assert hit.score == pytest.approx(1 - TITLE_PRIOR)  # first in both lists, titled "Runbook d1": none of it worded
    [hit] = index.search(alert, embed([search_text(alert)])[0], BOB, k=5)
    assert hit.score == pytest.approx(1.0)  # "member quorum": all of it (`member` from the description)
    [hit] = index.search(alert, embed([search_text(alert)])[0], PrincipalFilter(owner_id="carol"), k=5)
    assert hit.score == pytest.approx(1 - TITLE_PRIOR / 2)  # "member certificates": half of it
    [hit] = index.search("etcd member lost quorum", embed(["etcd member lost quorum"])[0], ALICE, k=5)
    assert hit.score == pytest.approx(1.0)  # not an alert: no weight


def test_upsert_replaces_a_chunk_with_the_same_id(index: VectorIndex) -> None:
    put(index, [chunk("d1", "alice", "old text about certificates")])
    put(index, [chunk("d1", "alice", "new text about kubelet eviction")])
    assert search(index, "certificates", ALICE, mode="bm25") == []
    [only] = search(index, "kubelet eviction", ALICE)
    assert only.text == "new text about kubelet eviction"


def test_delete_document_removes_only_that_owners_document(index: VectorIndex) -> None:
    put(index, [chunk("d1", "alice", "node disk pressure eviction", i) for i in range(3)])
    put(index, [chunk("d2", "alice", "node disk pressure on workers")])
    assert index.delete_document("bob", "d1") == 0
    assert index.delete_document("alice", "d1") == 3
    for mode in MODES:
        assert [c.document_id for c in search(index, "node disk pressure", ALICE, mode=mode)] == ["d2"]
    assert index.delete_document("alice", "d1") == 0


@pytest.mark.parametrize("mode", MODES)
def test_another_owners_personal_chunks_are_never_returned(index: VectorIndex, mode: str) -> None:
    put(index, [chunk("secret", "bob", "bob private notes about the etcd outage")])
    put(index, [chunk("mine", "alice", "unrelated text on dns")])
    assert all(c.owner_id == "alice" for c in search(index, "bob private notes etcd outage", ALICE, mode=mode))
    assert [c.chunk_id for c in search(index, "bob private notes etcd outage", BOB, mode=mode)] == ["secret#0"]


@pytest.mark.parametrize("mode", MODES)
def test_global_chunks_reach_everyone_unless_excluded(index: VectorIndex, mode: str) -> None:
    put(index, [chunk("g", "admin", "cluster operator degraded runbook", scope="global")])
    for who in (ALICE, BOB):
        assert [c.chunk_id for c in search(index, "operator degraded", who, mode=mode)] == ["g#0"]
    no_global = PrincipalFilter(owner_id="alice", include_global=False)
    assert search(index, "operator degraded", no_global, mode=mode) == []


@pytest.mark.parametrize("mode", MODES)
def test_team_chunks_reach_team_members_only(index: VectorIndex, mode: str) -> None:
    put(index, [chunk("t", "carol", "sre team postmortem on the api outage", scope="team", team="sre")])
    assert [c.chunk_id for c in search(index, "postmortem api outage", ALICE, mode=mode)] == ["t#0"]
    assert search(index, "postmortem api outage", BOB, mode=mode) == []
    outsider = PrincipalFilter(owner_id="dave", team_ids=["payments"])
    assert search(index, "postmortem api outage", outsider, mode=mode) == []


@pytest.mark.parametrize("mode", MODES)
def test_another_teams_chunks_neither_leak_nor_crowd_out_a_members_team(index: VectorIndex, mode: str) -> None:
    query = "kafka consumer lag rebalancing storm partitions"
    put(index, [chunk(f"p{i}", f"user{i}", query, scope="team", team="payments") for i in range(200)])
    put(index, [chunk(f"s{i}", "carol", f"kafka consumer lag, sre note {i}", scope="team", team="sre")
                for i in range(2)])
    found = search(index, query, ALICE, k=2, mode=mode)
    assert sorted(c.chunk_id for c in found) == ["s0#0", "s1#0"]  # the filter ran inside the query
    in_both = PrincipalFilter(owner_id="zed", team_ids=["sre", "payments"], include_global=False)
    assert {c.team_id for c in search(index, query, in_both, k=2, mode=mode)} == {"payments"}
    assert {c.team_id for c in search(index, "sre note", in_both, k=2, mode=mode)} == {"sre"}


@pytest.mark.parametrize("mode", MODES)
def test_filter_applies_before_top_k_so_few_own_chunks_are_not_starved(index: VectorIndex, mode: str) -> None:
    crowd = [chunk(f"o{i}", f"user{i}", "pods pending disk pressure node eviction kubelet") for i in range(300)]
    put(index, crowd)
    mine = [chunk(f"m{i}", "alice", f"pods pending on disk pressure, note {i}") for i in range(3)]
    put(index, mine)
    found = search(index, "pods pending disk pressure node eviction kubelet", ALICE, k=3, mode=mode)
    assert sorted(c.chunk_id for c in found) == ["m0#0", "m1#0", "m2#0"]


def test_a_different_embedding_model_is_refused(make_index: IndexFactory) -> None:
    put(make_index(SPACE), [chunk("d1", "alice", "etcd quorum")])
    other = make_index(OTHER_SPACE)
    with pytest.raises(EmbeddingSpaceMismatch) as refused:
        other.search("etcd", embed(["etcd"])[0], ALICE)
    assert "test/hashing-bow" in refused.value.detail and "test/other-model" in refused.value.detail
    with pytest.raises(EmbeddingSpaceMismatch):
        put(other, [chunk("d2", "alice", "dns")])
    assert isinstance(refused.value, Conflict)


def test_an_emptied_index_takes_a_new_model(make_index: IndexFactory) -> None:
    first = make_index(SPACE)
    put(first, [chunk("d1", "alice", "etcd quorum")])
    first.delete_document("alice", "d1")
    second = make_index(OTHER_SPACE)
    put(second, [chunk("d2", "alice", "dns resolution fails")])
    assert [c.chunk_id for c in search(second, "dns resolution", ALICE)] == ["d2#0"]


def test_vectors_of_the_wrong_size_are_invalid_input(index: VectorIndex) -> None:
    with pytest.raises(InvalidInput):
        index.upsert([chunk("d1", "alice", "x")], np.zeros((1, 8), np.float32))
    with pytest.raises(InvalidInput):
        index.upsert([chunk("d1", "alice", "x"), chunk("d1", "alice", "y", 1)], embed(["x"]))
    put(index, [chunk("d1", "alice", "x")])
    with pytest.raises(InvalidInput):
        index.search("x", np.zeros(8, np.float32), ALICE)


def test_vector_modes_need_a_query_vector_and_bm25_does_not(index: VectorIndex) -> None:
    put(index, [chunk("d1", "alice", "certificate expired on the api server")])
    assert [h.chunk.chunk_id for h in index.search("certificate expired", None, ALICE, mode="bm25")] == ["d1#0"]
    for mode in ("hybrid", "vector"):
        with pytest.raises(InvalidInput):
            index.search("certificate", None, ALICE, mode=mode)  # type: ignore[arg-type]


def test_queries_with_no_words_or_an_empty_index_return_nothing(index: VectorIndex) -> None:
    assert search(index, "anything", ALICE) == []
    put(index, [chunk("d1", "alice", "text")])
    assert index.search("?!", None, ALICE, mode="bm25") == []


def test_a_chunk_id_twice_in_one_batch_is_invalid_input(index: VectorIndex) -> None:
    with pytest.raises(InvalidInput):
        put(index, [chunk("d1", "alice", "x"), chunk("d1", "alice", "y")])


def test_document_vectors_give_back_what_was_stored(index: VectorIndex) -> None:
    """For export: a document's chunks with their own vectors, in order; nothing of another owner or document.
    (An index without `VectorExport` would have its documents re-embedded on import instead.)"""
    if not isinstance(index, VectorExport):
        pytest.skip("this index does not export vectors")
    chunks = [chunk("d1", "alice", "etcd member lost quorum", 1), chunk("d1", "alice", "disk fsync is slow", 0),
              chunk("d2", "alice", "ingress 503"), chunk("d1x", "bob", "bob's own")]
    vectors = embed([c.embedding_text for c in chunks])
    index.upsert(chunks, vectors)
    got, matrix = index.document_vectors("alice", "d1")
    assert [c.chunk_id for c in got] == ["d1#0", "d1#1"] and got[1] == chunks[0]
    np.testing.assert_allclose(matrix, vectors[[1, 0]], rtol=1e-6)
    assert index.document_vectors("bob", "d1")[0] == [] and index.document_vectors("alice", "nope")[0] == []
    assert index.document_vectors("alice", "d1")[1].dtype == np.float32
