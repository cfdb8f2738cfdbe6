"""Chunking properties: headings stay with their sections, titles travel into chunks, long sections overlap,
sizes are bounded, and every format has a sensible fallback."""

from __future__ import annotations

import json
import random
from itertools import pairwise
from pathlib import Path

import pytest

from faultmaven.knowledge.chunking import (
    ChunkingOptions,
    DocumentRef,
    chunk_document,
    format_for,
    html_to_markdown,
)

RUNBOOK = Path(__file__).parent.parent / "fixtures" / "knowledge" / "KubePersistentVolumeFillingUp.md"
DOC = DocumentRef(document_id="doc1", owner_id="alice", scope="team", team_id="sre")
SMALL = ChunkingOptions(max_chars=300, overlap_chars=60)


def words(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(["pod", "node", "disk", "etcd", "quorum", "kubelet", "pressure", "evict"])
                    for _ in range(n))


def long_markdown() -> str:
    return "\n\n".join([
        "# Disk Pressure Runbook",
        "Intro paragraph before any section.",
        "## Meaning",
        words(30, 1),
        "## Diagnosis",
        *(words(40, i) for i in range(2, 8)),
        "### Check the kubelet",
        words(20, 9),
        "```bash\n# not a heading: a shell comment\noc get nodes\n\n\noc describe node worker-0\n```",
        "## Mitigation",
        words(25, 10),
    ])


def test_the_leading_h1_is_the_title_and_is_carried_into_every_chunk() -> None:
    chunks = chunk_document(long_markdown(), DocumentRef(document_id="d", owner_id="u"), "markdown", SMALL)
    assert {c.title for c in chunks} == {"Disk Pressure Runbook"}
    assert all(c.embedding_text.startswith("Disk Pressure Runbook") for c in chunks)
    explicit = chunk_document(long_markdown(), DOC.model_copy(update={"title": "Given title"}), "markdown", SMALL)
    assert {c.title for c in explicit} == {"Given title"}


def test_chunks_carry_their_heading_path_and_never_contain_a_heading_line() -> None:
    chunks = chunk_document(long_markdown(), DOC, "markdown", SMALL)
    paths = [tuple(c.heading_path) for c in chunks]
    assert paths[0] == ()  # the intro
    assert ("Meaning",) in paths and ("Diagnosis",) in paths and ("Mitigation",) in paths
    assert ("Diagnosis", "Check the kubelet") in paths
    for c in chunks:
        assert not any(line.startswith("## ") for line in c.text.splitlines())
    kubelet = [c for c in chunks if c.heading_path == ["Diagnosis", "Check the kubelet"]]
    assert "# not a heading: a shell comment" in "\n".join(c.text for c in kubelet)  # inside a fence: body text
    assert "Diagnosis > Check the kubelet" in kubelet[0].embedding_text


def test_a_section_never_spills_into_the_next_one() -> None:
    chunks = chunk_document(long_markdown(), DOC, "markdown", SMALL)
    mitigation = words(25, 10)
    assert [c.heading_path for c in chunks if mitigation in c.text] == [["Mitigation"]]
    assert chunks[-1].heading_path == ["Mitigation"] and chunks[-1].text == mitigation


@pytest.mark.parametrize("opts", [SMALL, ChunkingOptions(max_chars=500, overlap_chars=0), ChunkingOptions()])
def test_every_chunk_is_within_the_size_bound(opts: ChunkingOptions) -> None:
    for fmt, text in [("markdown", long_markdown()), ("text", words(2000, 3)), ("log", "x" * 5000)]:
        chunks = chunk_document(text, DOC, fmt, opts)  # type: ignore[arg-type]
        assert chunks and all(0 < len(c.text) <= opts.max_chars for c in chunks)


def test_consecutive_chunks_of_a_long_section_overlap() -> None:
    chunks = [c for c in chunk_document(long_markdown(), DOC, "markdown", SMALL) if c.heading_path == ["Diagnosis"]]
    assert len(chunks) >= 3
    for before, after in pairwise(chunks):
        head = after.text.split("\n", 1)[0]
        assert head and before.text.endswith(head), "a chunk should start with the tail of the one before"
        assert len(head) < SMALL.overlap_chars
    no_overlap = chunk_document(long_markdown(), DOC, "markdown", ChunkingOptions(max_chars=300, overlap_chars=0))
    diag = [c.text for c in no_overlap if c.heading_path == ["Diagnosis"]]
    assert sum(len(t) for t in diag) < sum(len(c.text) for c in chunks)


def test_no_body_line_is_lost() -> None:
    text = long_markdown()
    joined = "\n".join(c.text for c in chunk_document(text, DOC, "markdown", SMALL))
    body = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(("# ", "## ", "### "))]
    for line in body:
        assert all(word in joined for word in line.split()), line


def test_chunks_get_ids_ordinals_and_the_documents_access() -> None:
    chunks = chunk_document(long_markdown(), DOC, "markdown", SMALL)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert [c.chunk_id for c in chunks] == [f"doc1#{i}" for i in range(len(chunks))]
    assert {(c.document_id, c.owner_id, c.scope, c.team_id) for c in chunks} == {("doc1", "alice", "team", "sre")}


def test_a_real_runbook_keeps_its_sections() -> None:
    chunks = chunk_document(RUNBOOK.read_text(), DOC, "markdown")
    assert {c.title for c in chunks} == {"KubePersistentVolumeFillingUp"}
    assert [c.heading_path[0] for c in chunks if c.heading_path][:1] == ["Meaning"]
    assert {p[0] for c in chunks if (p := c.heading_path)} >= {"Meaning", "Impact", "Diagnosis", "Mitigation"}
    assert all(len(c.text) <= 1000 for c in chunks)


def test_empty_and_blank_documents_have_no_chunks() -> None:
    assert chunk_document("", DOC, "markdown") == []
    assert chunk_document("  \n\n \n", DOC, "text") == []
    assert chunk_document("# Only a title\n", DOC, "markdown") == []


def test_html_loses_tags_scripts_and_styles_but_keeps_headings() -> None:
    html = ("<html><head><title>Router 503s</title><style>p{color:red}</style></head><body>"
            "<h1>Router 503s</h1><p>Clients get <b>503</b> errors.</p><script>alert(1)</script>"
            "<h2>Fix</h2><ul><li>restart router</li><li>check endpoints</li></ul></body></html>")
    title, text = html_to_markdown(html)
    assert title == "Router 503s"
    assert "<" not in text and "alert(1)" not in text and "color" not in text
    chunks = chunk_document(html, DOC, "html")
    assert chunks[0].title == "Router 503s"
    fix = [c for c in chunks if c.heading_path == ["Fix"]]
    assert fix and "restart router" in fix[0].text and "check endpoints" in fix[0].text


def test_csv_chunks_repeat_the_header_row() -> None:
    rows = "\n".join(f"node-{i},DiskPressure,{i * 7}%" for i in range(200))
    chunks = chunk_document("node,condition,usage\n" + rows, DOC, "csv", SMALL)
    assert len(chunks) > 1
    assert all(c.text.startswith("node,condition,usage\n") and len(c.text) <= SMALL.max_chars for c in chunks)
    body = [line for c in chunks for line in c.text.splitlines()[1:]]
    assert body == rows.splitlines()


def test_compact_json_is_split_at_values_and_logs_at_lines() -> None:
    blob = json.dumps({"items": [{"name": f"pod-{i}", "phase": "Pending", "reason": "Unschedulable"}
                                 for i in range(60)]})
    chunks = chunk_document(blob, DOC, "json", SMALL)
    assert len(chunks) > 1 and all(len(c.text) <= SMALL.max_chars for c in chunks)
    assert '"name": "pod-0"' in chunks[0].text
    log = "\n".join(f"2024-05-01T10:00:{i:02d}Z kubelet: eviction manager: node has disk pressure" for i in range(60))
    log_chunks = chunk_document(log, DOC, "log", SMALL)
    assert len(log_chunks) > 1
    # After the overlap (the first line of every chunk but the first), lines are whole log lines.
    kept = [ln for i, c in enumerate(log_chunks) for ln in c.text.splitlines()[1 if i else 0 :]]
    assert kept == log.splitlines()


def test_formats_follow_the_file_name() -> None:
    assert format_for("runbook.MD") == "markdown"
    assert format_for("page.htm") == "html"
    assert format_for("values.yml") == "yaml"
    assert format_for("app.log") == "log"
    assert format_for("notes") == "text"


def test_options_reject_an_overlap_over_half_the_size() -> None:
    with pytest.raises(ValueError):
        ChunkingOptions(max_chars=300, overlap_chars=200)
