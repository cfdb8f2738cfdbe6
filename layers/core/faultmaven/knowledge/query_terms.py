"""The words of a search query worth matching by keyword: lower-cased, de-duplicated, without stop words.

Stop words carry almost no BM25 weight but match nearly every chunk, so dropping them keeps keyword search fast
as the index grows. A query made only of stop words keeps them (better than matching nothing).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 48

_STOP_WORDS = """a about after again all also am an and any are as at be because been before being but by can could
    did do
    does doing down during each few for from further had has have having he her here hers him his how i if in into
    is it its itself just me more most my no nor not now of off on once only or other our ours out over own same
    she should so some such than that the their theirs them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def query_terms(text: str) -> list[str]:
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))
    content = [w for w in words if w not in STOP_WORDS]
    return (content or words)[:MAX_TERMS]
