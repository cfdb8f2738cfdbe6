"""Knowledge-base queries built from the whole case, not from the engineer's last sentence.

A turn asks the knowledge base several questions, one per thing the case knows — the problem statement, each
leading error template of the evidence (variables masked) alone, by its innermost cause when it wraps one and paired
with the symptom, the plain words of the error codes it shows (error_meaning), each open hypothesis,
the alert the case came from, the recent turns, the engineer's sentence when it carries content, and the whole case
at once — and fuses the answers by their similarity (or by weighted reciprocal rank), then favours the runbooks whose
titles name what the case says. A generic question ("what is the most likely root cause?") adds no query of its own,
so the citations stay those of the case until a hypothesis is refuted or new facts arrive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from faultmaven.copilot.error_meaning import CAUSE_WORDS, innermost_cause, meanings
from faultmaven.knowledge.query_terms import STOP_WORDS, name_parts, query_terms
from faultmaven.knowledge.ranking import RRF_K
from faultmaven.logs.header import HeaderParser
from faultmaven.logs.masking import Masker

# Words that make up generic questions and chatter: a sentence made only of these asks nothing the case does not
# already know, so it must not steer the search.
_GENERIC_TEXT = """
what which who why how when where is are was were be do does did can could should would will shall may might must
the a an this that these those it its of to in on for with about from by as at and or so then now next also any
i we you me us my our your they them there here please thanks thank ok okay yes no sure hi hello hey
most likely probable possible root cause causes causing reason reasons problem issue issues wrong happening happened
runbook runbooks doc docs documentation article guide playbook apply applies applicable relevant use follow
step steps first next fix fixes fixing solve solution resolve mitigate mitigation do done try help suggest suggestion
explain tell show give more detail details summary summarize think know idea ideas going on look check still
"""
_GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
_PLACEHOLDER = re.compile(r"\{\{REDACTED:[^}]*\}\}")
_MASK = re.compile(r"<\*>|<[A-Z_]+>")
# Log syntax that says nothing about the failure: JSON and logfmt keys, source locations (wal.go:805), klog's level
# letter. Left in, they dilute both the keyword and the meaning of a query.
_LOG_SYNTAX = re.compile(r"\"?\b(?:level|lvl|ts|time|timestamp|caller|msg|logger|component)\b\"?\s*[:=]|"
                         r"\b[\w./-]+\.(?:go|py|java|cc?|rs|js|ts|rb)\b:?\d*\]?|^[IWEF](?=\s)")
# An alert name: CamelCase with at least three capitalised parts (KubeAPIErrorBudgetBurn, CoreDNSErrorsHigh),
# or given as alertname=... in a payload.
_ALERT = re.compile(r"alertname[=:\s\"']+(\w+)|\b([A-Z][a-z0-9]+(?:[A-Z]+[a-z0-9]*){2,})\b")
_QUOTED = re.compile(r"'([^']{8,})'")
# What a turn stores when the engineer sent no text: "(confirmation)", "(attached kern.log)" — not their words.
_STORED_NOTE = re.compile(r"^\([^()]*\)$")
_FAILURE = re.compile(r"fail|error|refused|denied|forbidden|timed? ?out|timeout|full|drop|unable|cannot|can't|"
                      r"exceed|oom|out of memory|killed|panic|fatal|expired|invalid|unhealthy|not ready|lost|"
                      r"no space|too many|unavailable|reset|abort|degraded|crit|warn|slow", re.IGNORECASE)
_ERROR_FIELD = re.compile(r"(?:^|[._-])(?:err|error|errors|reason|cause|detail|exception|desc)(?:$|[._-])",
                          re.IGNORECASE)
_LEVEL_RANK = {"critical": 0, "fatal": 0, "error": 1, "warn": 2, "warning": 2}


class QueryWeights(BaseModel):
    """How much each kind of case query counts in the fusion. The defaults are the point that 5-fold
    cross-validation over the RCA scenarios chose most often (benchmarks/rca.py, results/rca.md); the engineer's
    sentence only counts when it carries content."""

    symptom: float = 1.0
    evidence: float = 1.0
    hypothesis: float = 1.0
    alert: float = 1.0
    engineer: float = 1.0
    recent: float = 0.5
    # The symptom paired with each leading error: which component fails (symptom) and how (evidence) in one query,
    # where a runbook named for both outranks the runbooks that match only one.
    pair: float = 1.0
    case: float = 1.0  # the whole case in one query: symptom, leading errors and the engineer's recent content
    cause: float = 2.0  # the innermost cause of each leading error that wraps one (error_meaning.innermost_cause)
    cause_words: int = CAUSE_WORDS  # how many words make a cause (more: more of the chain's context)
    cause_head: bool = True  # the chain's outermost part (often the component) before its cause
    meaning: float = 2.0  # the plain words of each error code or reason the case shows (error_meaning.MEANINGS)
    # What the pair and whole-case queries join to the symptom: each leading error whole, or its innermost cause when
    # it wraps one (the wrapper's words — volume, provision, claim — otherwise outvote the words of the failure).
    pair_with: Literal["error", "cause"] = "cause"
    evidence_templates: int = 3
    # "order": the n-th leading error counts 1/n; "count": each counts by its lines against the leading one;
    # "flat": each counts fully (a rare line can be the cause: one "System clock wrong" among hundreds of errors).
    evidence_by: Literal["order", "count", "flat"] = "flat"
    # "rank": reciprocal rank fusion; "rank_x_similarity": each rank's share scaled by the hit's 0-1 similarity;
    # "similarity": each hit adds its similarity to the power `sharpness` (a strong hit of one query outweighs
    # several weak ones, and a document many queries find well wins).
    fusion: Literal["rank", "rank_x_similarity", "similarity"] = "similarity"
    sharpness: float = 4.0
    per_query: int = 10  # documents each query contributes
    # Runbooks are named for the condition they treat (NodeClockNotSynchronising, KubeNodeNotReady): the share of a
    # found document's title words that the case's queries use is added, times this weight, to its fused score
    # (scaled so that the best document has 1).
    title: float = 1.0
    # Hybrid scores are 1.0 for the top hit of both the keyword and the vector list, at most 0.60 for a document only
    # the vector list found and 0.40 for one only the keyword list found (knowledge/ranking.py): at 0.65 a query's hit
    # counts only when both lists found it.
    min_similarity: float = 0.65
    # A hub document's fused score is multiplied by 1 - background x its similarity to generic failure sentences
    # (BACKGROUND); 0 turns it off.
    background: float = 0.0


@dataclass(frozen=True)
class CaseQuery:
    kind: str  # symptom | evidence | cause | pair | meaning | hypothesis | alert | engineer | recent | case
    text: str
    weight: float
    hypothesis_id: str | None = None


@dataclass
class RankedHit:
    """One document found by a query: enough to cite it and to say why."""

    document_id: str
    title: str
    passage: str
    similarity: float


@dataclass
class CaseSearchResult:
    cited: list[RankedHit]  # fused, best first
    support: dict[str, list[RankedHit]] = field(default_factory=dict)  # hypothesis id -> its own best documents
    queries: list[CaseQuery] = field(default_factory=list)


def content_words(text: str) -> list[str]:
    """The words of a sentence that say something about this incident."""
    return [w for w in query_terms(clean(text)) if w not in _GENERIC_WORDS and not w.isdigit() and len(w) > 1]


def is_generic(text: str) -> bool:
    """True for a question that any incident could ask ("which runbook applies?")."""
    return len(content_words(text)) == 0


def clean(text: str) -> str:
    """Query text without masked variables and redaction placeholders, which only add noise to a search."""
    return " ".join(_LOG_SYNTAX.sub(" ", _MASK.sub(" ", _PLACEHOLDER.sub(" ", text)).strip()).split())


def readable(template: dict) -> str:
    """A template as an engineer would quote it. Mining masks quoted strings and keeps a structured line's other
    fields apart, so a failure logged as a quoted value (klog's `"Skipping pod synchronization" err="PLEG is not
    healthy: ..."`) or in an error field (logfmt's `msg="response completed with error" err.detail="...: no space
    left on device"`) is missing from its template. Then the template's example line stands in for it: its header
    cut, its error fields added, only variable values (numbers, ids, addresses, paths) masked."""
    text = str(template.get("template") or "")
    example = str(template.get("example") or "")
    if not example:
        return text
    parsed = HeaderParser(2000).parse(example)
    errors = [v for k, v in (parsed.attributes or {}).items() if _ERROR_FIELD.search(k)]
    message = " ".join(Masker(quoted=False).tokens(" ".join([parsed.content, *errors])))
    words, told = set(content_words(message)), content_words(text)
    # The example is cut at a few hundred characters: it stands in only when it still says all the template says.
    return message if words.issuperset(told) and len(words) > len(set(told)) else text


def leading_templates(templates: Iterable[dict], limit: int) -> list[tuple[str, int]]:
    """The error templates that best describe a log: error and critical first, then warnings, then lines whose words
    say something failed (kernels and many daemons log without a level); within a level, the most frequent first.
    Returns (readable template, line count) pairs."""
    ranked = []
    for t in templates:
        text = readable(t)
        level = str(t.get("level") or "").lower()
        rank = _LEVEL_RANK.get(level)
        if rank is None:
            if not _FAILURE.search(text):
                continue
            rank = 3
        ranked.append((rank, -int(t.get("count") or 0), text))
    ranked.sort(key=lambda r: (r[0], r[1]))
    counts = {text: -negative for _, negative, text in reversed(ranked)}
    return [(text, counts[text]) for text in dict.fromkeys(text for _, _, text in ranked if clean(text))][:limit]


def alert_names(texts: Iterable[str]) -> list[str]:
    names: list[str] = []
    for text in texts:
        for match in _ALERT.finditer(text or ""):
            names.append(match.group(1) or match.group(2))
    return list(dict.fromkeys(names))


def hypothesis_core(statement: str) -> str:
    """What a hypothesis is about: the quoted error or runbook title in the engine's own phrasing, else the text."""
    quoted = _QUOTED.findall(statement)
    return " ".join(quoted) if quoted else statement


def _split_camel(name: str) -> str:
    return " ".join(re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+", name))


def build_queries(*, problem: str | None, user_text: str, recent: Sequence[str],
                  templates: Sequence[tuple[str, int]], hypotheses: Sequence[tuple[str, str]],
                  weights: QueryWeights) -> list[CaseQuery]:
    """One query per thing the case knows. `templates` are (leading error template, line count), `hypotheses`
    (id, statement) of the open ones; `recent` are the engineer's earlier messages, newest last."""
    queries: list[CaseQuery] = []

    def add(kind: str, text: str, weight: float, hypothesis_id: str | None = None) -> None:
        text = clean(text)[:500]
        if weight > 0 and content_words(text) and all(q.text != text for q in queries):
            queries.append(CaseQuery(kind, text, weight, hypothesis_id))

    if problem:
        add("symptom", problem, weights.symptom)
    anchor = problem or ("" if is_generic(user_text) else user_text)
    leading = templates[:weights.evidence_templates]
    most = max((max(1, n) for _, n in leading), default=1)
    failures = []  # what each leading error says failed: its innermost cause when it wraps one
    for i, (template, count) in enumerate(leading):
        share = {"order": 1 / (1 + i), "count": max(1, count) / most, "flat": 1.0}[weights.evidence_by]
        add("evidence", template, weights.evidence * share)
        cause = innermost_cause(clean(template), weights.cause_words, weights.cause_head)
        if cause:
            add("cause", cause, weights.cause * share)
        failure = cause if cause and weights.pair_with == "cause" else template
        failures.append(failure)
        if anchor:
            add("pair", f"{anchor} {failure}", weights.pair * share)
    for meaning in meanings([problem or "", user_text, *(t for t, _ in leading)]):
        add("meaning", meaning.words, weights.meaning)
    for hypothesis_id, statement in hypotheses:
        add("hypothesis", hypothesis_core(statement), weights.hypothesis, hypothesis_id)
    for name in alert_names([problem or "", user_text, *recent]):
        add("alert", f"{name} {_split_camel(name)}", weights.alert)
    if not is_generic(user_text):
        add("engineer", user_text, weights.engineer)
    earlier = [t for t in recent if not is_generic(t) and not _STORED_NOTE.match(t.strip())
               and clean(t) != clean(problem or "")][-2:]
    if earlier:
        add("recent", " ".join(earlier), weights.recent)
    add("case", " ".join([anchor, *failures, *earlier]), weights.case)
    return queries


Search = Callable[[str], list[RankedHit]]


def search_case(queries: Sequence[CaseQuery], search: Search, limit: int,
                weights: QueryWeights | None = None) -> CaseSearchResult:
    """Run every query and fuse their document rankings: score(d) = sum over the queries of weight / (k + rank)
    (times the hit's similarity with the `rank_x_similarity` fusion), or of weight x similarity ** sharpness."""
    weights = weights or QueryWeights()
    scores: dict[str, float] = {}
    best: dict[str, RankedHit] = {}
    support: dict[str, list[RankedHit]] = {}
    for query in queries:
        hits = search(query.text)[:weights.per_query]
        if query.hypothesis_id is not None:
            support[query.hypothesis_id] = hits[:2]
        for rank, hit in enumerate(hits, 1):
            if weights.fusion == "similarity":
                share = hit.similarity ** weights.sharpness
            else:
                share = (hit.similarity if weights.fusion == "rank_x_similarity" else 1.0) / (RRF_K + rank)
            scores[hit.document_id] = scores.get(hit.document_id, 0.0) + query.weight * share
            if hit.document_id not in best or hit.similarity > best[hit.document_id].similarity:
                best[hit.document_id] = hit
    if weights.background and scores:
        common = background(search)
        scores = {d: s * (1 - weights.background * common.get(d, 0.0)) for d, s in scores.items()}
    if weights.title and scores:
        words = stems(q.text for q in queries)
        top = max(scores.values())
        scores = {d: s / top + weights.title * title_coverage(best[d].title, words) for d, s in scores.items()}
    order = sorted(scores, key=lambda d: -scores[d])  # stable: ties keep the order first met
    return CaseSearchResult(cited=[best[d] for d in order[:limit]], support=support, queries=list(queries))


# Sentences any incident could say. A document that answers them well answers every case a little (a hub: a
# runbook about generic request errors or failing pods), so its fused score is damped by how well it answers them.
BACKGROUND = ("error: request failed, unable to connect, timeout", "the service fails with errors",
              "pods fail and restart, errors in the log")


def background(search: Search) -> dict[str, float]:
    """Each document's best similarity to the BACKGROUND sentences (documents none of them finds are absent)."""
    common: dict[str, float] = {}
    for sentence in BACKGROUND:
        for hit in search(sentence):
            common[hit.document_id] = max(common.get(hit.document_id, 0.0), hit.similarity)
    return common


def stems(texts: Iterable[str]) -> set[str]:
    """The stems of the searchable words of `texts`."""
    return {_stem(w) for text in texts for w in query_terms(text)}


def title_coverage(title: str, words: set[str]) -> float:
    """The share of a title's words (a CamelCase name's parts, else its words; stop words out) whose stems are
    among `words` (see `stems`)."""
    parts = [_stem(p) for p in (name_parts(title) or query_terms(title)) if p not in STOP_WORDS]
    return sum(p in words for p in parts) / len(parts) if parts else 0.0


_SUFFIXES = ("ising", "izing", "ings", "ing", "ised", "ized", "ise", "ize", "ed", "es", "s", "e")


def _stem(word: str) -> str:
    """A crude English stem, the same on both sides of a comparison: synchronising / synchronise, drops / drop."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)]
    return word


_SECTION = re.compile(r"^#{1,4}\s*(diagnosis|mitigation|resolution|troubleshooting|remediation|steps|fix)\b.*$",
                      re.IGNORECASE | re.MULTILINE)
_CODE = re.compile(r"```[^\n]*\n(.+?)\n", re.DOTALL)
_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+(.+)$", re.MULTILINE)


def first_step(document_text: str) -> str | None:
    """The first thing a runbook tells you to do: in its Diagnosis (or Mitigation) section, the first command, else
    the first list item, else the first sentence."""
    match = _SECTION.search(document_text)
    if match is None:
        return None
    body = document_text[match.end():]
    following = re.search(r"^#{1,4}\s", body, re.MULTILINE)
    body = body[:following.start()] if following else body
    found = [m for m in (_CODE.search(body), _ITEM.search(body)) if m]
    if found:
        first = min(found, key=lambda m: m.start())
        return " ".join(first.group(1).replace("**", "").split())[:200] or None
    sentence = re.split(r"(?<=[.!?])\s", " ".join(body.split()), maxsplit=1)[0]
    return sentence[:200] or None
