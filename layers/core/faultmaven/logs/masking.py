"""Variable-field masking: replace values that differ between occurrences of one message with `<*>`.

Generic value shapes only (URLs, UUIDs, MAC and IP addresses, hex, numbers); no product-specific patterns.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

_VARIABLE = re.compile(
    r"""
      (?<![\w+.-])[A-Za-z][\w+.-]*://\S+                                # URL
    | (?=[\da-fA-F+-])(?:                                              # cheap guard: every other shape starts so
      [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}  # UUID
    | (?<![\w:])(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}(?![\w:])      # MAC
    | (?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.])         # IPv4[:port]
    | \b0[xX][0-9a-fA-F]+\b                                           # 0x hex
    | \b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b   # long hex (hashes, ids)
    | [-+]?\d+(?:[.,]\d+)*                                             # numbers, also inside identifiers
    )
    """,
    re.VERBOSE,
)


_MAYBE_VARIABLE = re.compile(r"\d|://")
_CACHE_SIZE = 50_000


class Masker:
    """Splits a message into tokens with variable values replaced by `<*>`.

    Every masked shape lies within one whitespace-separated token, so tokens are masked one by one; a bounded
    cache makes the many tokens that repeat (words, constant identifiers) nearly free.
    """

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def tokens(self, content: str) -> list[str]:
        get = self._cache.get
        return [get(token) or self._mask(token) for token in content.split()]

    def _mask(self, token: str) -> str:
        if token.isdigit():
            masked = WILDCARD
        else:
            masked = _VARIABLE.sub(WILDCARD, token) if _MAYBE_VARIABLE.search(token) else token
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()  # bounded; frequent tokens come straight back
        self._cache[token] = masked
        return masked
