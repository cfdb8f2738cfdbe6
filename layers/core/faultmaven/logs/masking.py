"""Variable-field masking: replace values that differ between occurrences of one message with `<*>`.

Generic value shapes only (URLs, e-mails, host names, paths, UUIDs, MAC and IP addresses, hex, durations, sizes,
numbers, quoted strings); no product-specific patterns.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

# Value shapes, tried in this order at each position (a URL holds a host and a path, so it comes first).
_URL_EMAIL = r"""
      (?<![\w+.-])[A-Za-z][\w+.-]*://\S+                              # URL
    | (?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+                        # e-mail, user@host
"""
# Filesystem paths with at least two components (`/var/log/app.log`, `C:\Temp\x`), not a lone `/` word.
_PATH = r"""
    | (?<![\w/\\])(?:/|[A-Za-z]:\\|~/)[^\s/\\]*[/\\][^\s"',;)\]]*
"""
# A dotted host name: a name followed by a port, or ending in a common top-level domain. Java packages
# (`org.apache.hadoop.ipc`) end in neither, so component names stay constant.
_HOST = r"""
    | (?<![\w.-])(?:[A-Za-z0-9-]+\.)+(?:[A-Za-z0-9-]+:\d{1,5}|(?:com|net|org|edu|gov|io|info|biz|local|internal
      |lan|[a-z]{2})\b)(?![\w-]|\.\w)
"""
_VALUES = r"""
    | (?=[\da-fA-F+-])(?:                                              # cheap guard: these shapes start so
      [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}  # UUID
    | (?<![\w:])(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}(?![\w:])      # MAC
    | (?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.])         # IPv4[:port]
    | \b0[xX][0-9a-fA-F]+\b                                           # 0x hex
    | \b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b   # long hex (hashes, ids)
    | (?<![\w.])\d+(?:\.\d+)?(?:ns|us|ms|[smhd])(?:\d+(?:\.\d+)?(?:ns|us|ms|[smh]))*(?![\w.])  # durations
    | (?<![\w.])\d+(?:\.\d+)?(?:[KMGTP]i?B|[kKMGTP]|B|bytes)(?![\w.])   # sizes
    | [-+]?\d+(?:[.,]\d+)*                                             # numbers, also inside identifiers
    )
"""
# A quoted string of up to a few words: its words vary together; bounded so a stray quote cannot swallow the line.
# An HTTP request line (`"GET /x HTTP/1.1"`) is left to the other shapes: its method is what tells requests apart.
_QUOTED = re.compile(r"(?<!\w)(\"(?![A-Z]{3,7} /)[^\"\n]{1,120}\"|'[^'\n]{1,120}')(?!\w)")

_MAYBE_VARIABLE = re.compile(r"[\d@/\\]|://|\.[a-z]")
_CACHE_SIZE = 50_000
_MESSAGE_CACHE_SIZE = 20_000


class Masker:
    """Splits a message into tokens with variable values replaced by `<*>`.

    Every masked shape but quoted strings lies within one whitespace-separated token, so tokens are masked one by
    one; bounded caches make repeated messages and the many tokens that repeat (words, constant identifiers) nearly
    free. `paths`, `hosts` and `quoted` switch the less certain shapes (the benchmark chooses them per held-out fold).
    The pattern is assembled from the fixed pieces above only, never from input.
    """

    def __init__(self, *, paths: bool = True, hosts: bool = True, quoted: bool = True) -> None:
        self._cache: dict[str, str] = {}
        self._messages: dict[str, list[str]] = {}
        self._quoted = quoted
        self._variable = re.compile(
            _URL_EMAIL + (_PATH if paths else "") + (_HOST if hosts else "") + _VALUES, re.VERBOSE
        )

    def tokens(self, content: str) -> list[str]:
        """The masked tokens (a shared list for a repeated message: do not modify it)."""
        masked = self._messages.get(content)
        if masked is not None:
            return masked
        text = content
        if self._quoted and ('"' in text or "'" in text):
            text = _QUOTED.sub(WILDCARD, text)
        get = self._cache.get
        masked = [get(token) or self._mask(token) for token in text.split()]
        if len(self._messages) >= _MESSAGE_CACHE_SIZE:
            self._messages.clear()
        self._messages[content] = masked
        return masked

    def _mask(self, token: str) -> str:
        if token.isdigit():
            masked = WILDCARD
        elif _MAYBE_VARIABLE.search(token):
            masked = self._variable.sub(WILDCARD, token)
        else:
            masked = token
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()  # bounded; frequent tokens come straight back
        self._cache[token] = masked
        return masked
