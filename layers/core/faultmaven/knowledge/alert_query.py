"""An alert notification pasted as a search query, read for what it is about: the alert's name and its words.

On-call engineers search with the notification they received (`[FIRING:1] KubePodCrashLooping (prod api-7c9d8f-x2k4q
critical)`, an Alertmanager message with `Labels:` and `Annotations:` blocks, a PagerDuty or GitLab incident subject).
Most of such a text is label noise for retrieval — the firing count, severity, instance addresses, pod hashes, host
names, URLs, numbers — words that match unrelated runbooks and dilute both the keyword and the vector query. This
module recognises those shapes and keeps the alert name(s) (with snake_case split into its words; CamelCase is split
by `query_terms` and the embedder) and the summary/description words. Any other text is searched as it is.
benchmarks/retrieval.py measures the effect on held-out folds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from faultmaven.knowledge.query_terms import query_terms

T = TypeVar("T")

# How much a document's title counts for an alert query: its fused score is multiplied by 1 - TITLE_PRIOR +
# TITLE_PRIOR x the share of the title's words that are words of the alert as searched (its name and description).
# Chosen on the training folds of benchmarks/retrieval.py among 0-0.3 (above, a document first in both lists whose
# title the alert does not word goes uncited).
TITLE_PRIOR = 0.3

# The status head of a notification subject: `[FIRING:3]`, `[RESOLVED]`, `[Triggered]`, `[ALERT]`, `[Alerting]`,
# optionally followed by an incident number (`#4521:`).
_STATUS_HEAD = re.compile(
    r"^\s*(?:\[\s*(?:firing|resolved|triggered|acknowledged|alert|alerting|pagerduty alert)\b[^\]]{0,20}\]"
    r"|(?:firing|resolved|triggered|acknowledged)\s*:)\s*(?:#\d+\s*:?\s*)?",
    re.IGNORECASE,
)
# A label or annotation on a line of its own (`alertname = X` in a `Labels:` list, `summary: ...`), and one inline
# (`severity=critical`, `job="node"`, inside `{...}`); groups `key` and `value` (or `quoted`).
_LINE_PAIR = re.compile(r"^[ \t]*(?:[-*][ \t]*)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)[ \t]*[:=][ \t]*(?P<value>[^\n]*)$",
                        re.MULTILINE)
_INLINE_PAIR = re.compile(r"""(?P<key>[A-Za-z_][A-Za-z0-9_]*)=(?:"(?P<quoted>[^"]*)"|(?P<value>[^\s,}"]+))""")
_BLOCK_HEADS = re.compile(r"^\s*(?:labels|annotations|common labels|common annotations)\s*:?\s*$",
                          re.IGNORECASE | re.MULTILINE)
NAME_KEYS = frozenset({"alertname", "alert", "alert_name"})
TEXT_KEYS = frozenset({"summary", "description", "message", "title", "subject"})
# The head's name: an identifier at the start, then a separator, a space or the end.
_SEPARATORS = ":(-\u2013\u2014"  # what may follow a subject's alert name: `Name: summary`, `Name (labels)`
_HEAD_NAME = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)*)(?=[\s" + re.escape(_SEPARATORS) + "]|$)")
_LABEL_GROUP = re.compile(r"^\s*\([^()]*\)")  # `(label values ...)` right after the head's name
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\s]+")
_NOISE_WORD = re.compile(r"\d")  # numbers, durations, addresses, pod hashes, versioned host names
_EDGE_PUNCTUATION = "\"'`()[]{}<>,;:!?."


@dataclass(frozen=True)
class AlertQuery:
    """What an alert notification is about: its alert name(s) as written and its meaningful words, in order."""

    names: tuple[str, ...]
    words: tuple[str, ...]

    def search_text(self) -> str:
        """The names (snake_case written as words) then the words: what the keyword and vector lists search for."""
        names = [n.replace("_", " ").replace(".", " ") for n in self.names]
        return " ".join([*names, *self.words])


def parse_alert(text: str) -> AlertQuery | None:
    """The alert in `text` when it has the shape of an alert notification (a status head such as `[FIRING:1]`, or an
    `alertname` label), else None."""
    head = _STATUS_HEAD.match(text)
    inline = [(m["key"], _value(m)) for m in _INLINE_PAIR.finditer(text)]
    # Inline pairs first: a line of them (`alertname=X severity=critical`) is not one `key=value` line.
    text = _INLINE_PAIR.sub(lambda m: f" {_value(m)} " if m["key"].lower() in TEXT_KEYS else " ", text)
    pairs = [*inline, *((m["key"], m["value"]) for m in _LINE_PAIR.finditer(text))]
    labelled = [v.strip() for k, v in pairs if k.lower() in NAME_KEYS and v.strip()]
    if head is None and not labelled:
        return None
    body = text[head.end():] if head else text
    names: list[str] = []
    if head and (match := _HEAD_NAME.match(body)) and _looks_like_name(match["name"], body[match.end():]):
        names.append(match["name"])
        body = _LABEL_GROUP.sub(" ", body[match.end():], count=1)
    names = list(dict.fromkeys([*names, *(n for v in labelled for n in v.split())]))
    body = _LINE_PAIR.sub(_line_text, _BLOCK_HEADS.sub(" ", body))
    return AlertQuery(tuple(names), tuple(w for w in _words(body) if w not in names))


def search_text(query: str) -> str:
    """What to search for: an alert notification's names and words (`parse_alert`), any other query as it is."""
    alert = parse_alert(query)
    return (alert.search_text() or query) if alert else query


def alert_names(query: str) -> tuple[str, ...]:
    """The alert names of a query shaped like an alert notification; () for any other query."""
    alert = parse_alert(query)
    return alert.names if alert else ()


def named_first(ranked: Sequence[tuple[T, float]], names: Sequence[str],
                headings: Callable[[T], Sequence[str]]) -> list[tuple[T, float]]:
    """A keyword list (best first) with the passages titled by one of the alert's names — their document's title
    or one of their headings equals it, case and punctuation aside — moved to its head with its best score.

    A runbook named for the alert is the one to read even when a sibling's text repeats the alert's shared
    description more closely (KubeAPIDown and KubeSchedulerDown both "disappeared from Prometheus target discovery").
    Only the keyword list's order changes, so a document only this list found still scores as one-list documents do.
    """
    wanted = {_plain(n) for n in names}
    if not wanted or not ranked:
        return list(ranked)
    top = ranked[0][1]
    is_named = [any(_plain(h) in wanted for h in headings(item)) for item, _ in ranked]
    return ([(item, top) for (item, _), named in zip(ranked, is_named, strict=True) if named]
            + [pair for pair, named in zip(ranked, is_named, strict=True) if not named])


def words_of(text: str) -> frozenset[str]:
    """The search words of a name or title: `patroni-management` and `PatroniErrors` both hold `patroni`."""
    return frozenset(query_terms(re.sub(r"[-_.]", " ", text)))


def title_weight(alert_words: frozenset[str], title_words: frozenset[str], prior: float = TITLE_PRIOR) -> float:
    """The weight (0-1) of a document for an alert searched for by `alert_words` (its names' and description's
    words): 1 - prior + prior x the share of its title's words that are the alert's. Why: a service's hub runbook
    (`patroni-management`, `haproxy`) is titled with the service the alert names, while a narrower sibling page
    matches the alert's description words better (benchmarks/notes/alert-miss-classes.md, class 1); and of two
    sibling pages, the one whose title holds more of the alert's words is more likely the one it is about
    (`large-sidekiq-queue` over `large-pull-mirror-queue` for sidekiq jobs piling up, class 2). Any other query (no
    words): 1."""
    if not alert_words or not title_words:
        return 1.0 if not alert_words else 1.0 - prior
    return 1.0 - prior + prior * len(title_words & alert_words) / len(title_words)


def title_weighting(query_text: str, title: Callable[[T], str]) -> Callable[[T], float] | None:
    """The document weight of `title_weight` for the alert notification `query_text` (of an item's title), or None
    for any other query."""
    words = alert_words(query_text)
    if not words:
        return None
    return lambda item: title_weight(words, words_of(title(item)))


def alert_words(query_text: str) -> frozenset[str]:
    """The words an alert notification is searched for by (its names' and description's), as `words_of` splits
    them; empty for any other query (one without an alert name)."""
    alert = parse_alert(query_text)
    return words_of(alert.search_text()) if alert and alert.names else frozenset()


def _plain(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _value(match: re.Match[str]) -> str:
    return match["quoted"] if match["quoted"] is not None else match["value"]


def _line_text(match: re.Match[str]) -> str:
    """A `key: value` line as searched: a summary or description by its value, a label (lower-case key by
    Prometheus convention) or a line holding only a link or numbers not at all, anything else (`Note: ...`) as it is."""
    key = match["key"]
    if key.lower() in TEXT_KEYS:
        return match["value"]
    return "" if key.lower() in NAME_KEYS or key == key.lower() or not _words(match["value"]) else match[0]


def _looks_like_name(word: str, rest: str) -> bool:
    """An alert name rather than the first word of a sentence: it has CamelCase or snake_case, or nothing but a
    separator follows it (`[FIRING:1] Watchdog`, `[FIRING:1] Watchdog: ...`)."""
    if "_" in word or re.search(r"[a-z][A-Z]|[A-Z]{2,}[a-z]", word):
        return True
    return not rest.strip() or rest.lstrip()[:1] in _SEPARATORS


def _words(text: str) -> list[str]:
    """The words of `text` worth searching: URLs, anything holding a digit and bare punctuation dropped."""
    out = []
    for raw in _WORD.findall(_URL.sub(" ", text)):
        word = raw.strip(_EDGE_PUNCTUATION)
        if word and not _NOISE_WORD.search(word) and any(c.isalpha() for c in word):
            out.append(word)
    return out
