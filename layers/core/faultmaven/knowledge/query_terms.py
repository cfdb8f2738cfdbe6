"""The words of a search query worth matching by keyword: lower-cased, de-duplicated, without stop words.

The commonest function words carry almost no BM25 weight but match nearly every chunk, so dropping them keeps
keyword search fast as the index grows. A query made only of stop words keeps them (better than matching nothing).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 48

# Only the most frequent English function words: they are where the speed is, while words that carry meaning in
# operations text ("not", "no", "down", "up", "out", "over") stay searchable.
_STOP_WORDS = "a an and are as at be by for from in is it of on or that the this to was were with"
STOP_WORDS = frozenset(_STOP_WORDS.split())


def query_terms(text: str) -> list[str]:
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))
    content = [w for w in words if w not in STOP_WORDS]
    return (content or words)[:MAX_TERMS]
