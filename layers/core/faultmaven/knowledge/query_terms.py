"""The words of a search query worth matching by keyword: lower-cased, de-duplicated, without stop words.

The commonest function words carry almost no BM25 weight but match nearly every chunk, so dropping them keeps
keyword search fast as the index grows. A query made only of stop words keeps them (better than matching nothing).

Alert and metric names are written in CamelCase (`KubePersistentVolumeFillingUp`, `etcdHighFsyncDurations`), which
the keyword index reads as one opaque word. `name_parts` splits them into their words; the index stores those words
in a field of their own and a query adds them to its terms, so "persistent volume filling up" finds the runbook
titled with the alert name, and the alert name finds a runbook that spells the words out. The embedder reads texts
with their names spelled out (`spell_out_names`).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
# Where a CamelCase word breaks: an upper-case run before a capitalised word (OSD|Disk), a capitalised or
# lower-case run (Kube, etcd), an upper-case run (API), digits.
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
MAX_TERMS = 48

# Only the most frequent English function words: they are where the speed is, while words that carry meaning in
# operations text ("not", "no", "down", "up", "out", "over") stay searchable.
_STOP_WORDS = "a an and are as at be by for from in is it of on or that the this to was were with"
STOP_WORDS = frozenset(_STOP_WORDS.split())


def name_parts(text: str) -> list[str]:
    """The words inside the CamelCase names of `text`, lower-cased, in order, each once ("" when it has none)."""
    parts: dict[str, None] = {}
    for word in _WORD.findall(text):
        for piece in word.split("_"):
            if _CAMEL.search(piece):
                parts.update((p.lower(), None) for p in _PART.findall(piece) if len(p) > 1)
    return list(parts)


def spell_out_names(text: str) -> str:
    """`text` with each CamelCase name written as its words (`KubePodCrashLooping` -> `Kube Pod Crash Looping`).

    For the embedding model: its WordPiece vocabulary cuts a CamelCase name into fragments that mean little, while
    the spelled-out words are ones it knows (benchmarks/retrieval.py: the vector list's held-out MRR rises on both
    query sets when chunks and queries are embedded this way).
    """
    return _WORD.sub(lambda m: " ".join(_PART.findall(m[0])) if _CAMEL.search(m[0]) else m[0], text)


def query_terms(text: str) -> list[str]:
    words = list(dict.fromkeys([*(w.lower() for w in _WORD.findall(text)), *name_parts(text)]))
    content = [w for w in words if w not in STOP_WORDS]
    return (content or words)[:MAX_TERMS]
