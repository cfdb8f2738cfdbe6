"""What a case establishes, kept in the engineer's and the evidence's own words: impact, timeline, root cause, fix.

These become the case record (and so its reports and the runbook drafted from it). Offline they are taken from the
sentences that state them and from the evidence analyses; a model's extraction (the JSON schema's fields) is used
only when it is grounded in what the case holds, so a model cannot put words into the record that nobody said.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from faultmaven.copilot import signals

if TYPE_CHECKING:  # the doctrine imports this module
    from faultmaven.copilot.doctrine import EvidenceDigest

MAX_SENTENCE = 300
GROUNDED_SHARE = 0.6  # of a model's content words that must occur in the case's text and evidence
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"[a-z0-9]+(?:[._:-][a-z0-9]+)*")
_STOP = frozenset({"the", "and", "for", "with", "from", "that", "this", "was", "were", "are", "has", "have", "had",
                   "not", "but", "its", "into", "after", "before", "when", "then", "than", "our", "their", "they",
                   "them", "you", "your", "all", "any", "can", "could", "should", "would", "will", "been", "being"})


class Findings(BaseModel):
    impact: str | None = None
    timeline: list[str] = Field(default_factory=list)
    root_cause: str | None = None
    solution: str | None = None


def sentences(text: str) -> list[str]:
    return [s.strip().rstrip(";")[:MAX_SENTENCE] for s in _SENTENCE_END.split(text or "") if s.strip()]


def impact_from(text: str) -> str | None:
    """The sentences that measure or name the extent (who, how many, where)."""
    found = [s for s in sentences(text) if signals.mentions_scope(s)]
    return " ".join(found[:2]) or None


def timeline_from(text: str, evidence: list[EvidenceDigest]) -> list[str]:
    """Timed events: each file's first error (with its most frequent error line) and each sentence with a time."""
    events = [f"{e.first_error_at} — first error in {e.filename}" + (f": {e.top_errors[0][:160]}" if e.top_errors
                                                                      else "")
              for e in evidence if e.first_error_at]
    events += [s for s in sentences(text) if signals.mentions_time(s)]
    return events


def fix_from(text: str) -> str | None:
    """The sentences in which the engineer states what was (or will be) changed to fix it."""
    found = [s for s in sentences(text) if signals.states_fix(s)]
    return " ".join(found[:3]) or None


def follow_ups_from(text: str) -> list[str]:
    """The sentences naming work for after the incident (alerts to add, tests to write, limits to set)."""
    return list(dict.fromkeys(s for s in sentences(text) if signals.names_follow_up(s)))[:10]


def cited_lines(statement: str, evidence: list[EvidenceDigest]) -> list[str]:
    """The evidence behind a hypothesis: the files it names, else every file with errors."""
    named = [e for e in evidence if e.filename in statement] or [e for e in evidence if e.error_count]
    lines = []
    for e in named[:2]:
        when = f", first at {e.first_error_at}" if e.first_error_at else ""
        top = f": `{e.top_errors[0][:160]}`" if e.top_errors else ""
        lines.append(f"{e.filename} ({e.error_count} error lines{when}){top}")
    return lines


def root_cause_from(statement: str, reason: str | None, evidence: list[EvidenceDigest]) -> str:
    """The validated hypothesis, why it was validated, and the evidence lines it rests on."""
    parts = [statement.rstrip(".") + "."]
    if reason:
        parts.append(f"Validated because: {reason.rstrip('.')}.")
    cited = cited_lines(statement, evidence)
    if cited:
        parts.append("Evidence: " + "; ".join(cited) + ".")
    return " ".join(parts)[:1000]


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}


def grounded(candidate: str | None, source: str) -> bool:
    """Whether most content words of a model's `candidate` occur in `source` (the case's own text and evidence)."""
    words = _content_words(candidate or "")
    if not words:
        return False
    known = _content_words(source)
    return len(words & known) / len(words) >= GROUNDED_SHARE


def adopt_grounded(findings: Findings, extracted: Findings, allowed: set[str], source: str) -> None:
    """Take a model's extraction for the fields the rules opened this turn (`allowed`), where it is grounded in
    `source` (the case's own words and evidence); the rules' own findings stay otherwise."""
    for name in ("impact", "root_cause", "solution"):
        value = getattr(extracted, name)
        if name in allowed and grounded(value, source):
            setattr(findings, name, value.strip())
    findings.timeline += [e for e in extracted.timeline if grounded(e, source) and e not in findings.timeline]
