"""Variable-field masking: replace values that differ between occurrences of one message with `<*>`.

Generic value shapes only (URLs, e-mails, host names, paths, UUIDs, MAC and IP addresses, hex, durations, sizes,
numbers, quoted strings); no product-specific patterns.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

# Shapes that contain the others (a URL holds a host and a path): masked first.
_WHOLE = re.compile(
    r"(?<![\w+.-])[A-Za-z][\w+.-]*://\S+"  # URL
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail, user@host
)
_VARIABLE = re.compile(
    r"""
      (?=[\da-fA-F+-])(?:                                              # cheap guard: these shapes start so
      [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}  # UUID
    | (?<![\w:])(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}(?![\w:])      # MAC
    | (?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.])         # IPv4[:port]
    | \b0[xX][0-9a-fA-F]+\b                                           # 0x hex
    | \b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b   # long hex (hashes, ids)
    | (?<![\w.])\d+(?:\.\d+)?(?:ns|us|ms|[smhd])(?:\d+(?:\.\d+)?(?:ns|us|ms|[smh]))*(?![\w.])  # durations
    | (?<![\w.])\d+(?:\.\d+)?(?:[KMGTP]i?B|[kKMGTP]|B|bytes)(?![\w.])   # sizes
    | [-+]?\d+(?:[.,]\d+)*                                             # numbers, also inside identifiers
    )
    """,
    re.VERBOSE,
)
# A dotted host name: a name followed by a port, or ending in a common top-level domain. Java packages
# (`org.apache.hadoop.ipc`) end in neither, so component names stay constant.
_HOST = re.compile(
    r"(?<![\w.-])(?:[A-Za-z0-9-]+\.)+(?:[A-Za-z0-9-]+:\d{1,5}|(?:com|net|org|edu|gov|io|info|biz|local|internal|lan|"
    r"[a-z]{2})\b)(?![\w-]|\.\w)"
)
# Filesystem paths with at least two components (`/var/log/app.log`, `C:\Temp\x`), not a lone `/` word.
_PATH = re.compile(r"(?<![\w/\\])(?:/|[A-Za-z]:\\|~/)[^\s/\\]*[/\\][^\s\"',;)\]]*")
# A quoted string of up to a few words: its words vary together; bounded so a stray quote cannot swallow the line.
_QUOTED = re.compile(r"(?<!\w)(\"[^\"\n]{1,120}\"|'[^'\n]{1,120}')(?!\w)")

_MAYBE_VARIABLE = re.compile(r"[\d@/\\]|://|\.[a-z]")
_CACHE_SIZE = 50_000


class Masker:
    """Splits a message into tokens with variable values replaced by `<*>`.

    Every masked shape but quoted strings lies within one whitespace-separated token, so tokens are masked one by
    one; a bounded cache makes the many tokens that repeat (words, constant identifiers) nearly free. `paths`,
    `hosts` and `quoted` switch the less certain shapes (the benchmark chooses them per held-out fold).
    """

    def __init__(self, *, paths: bool = True, hosts: bool = True, quoted: bool = True) -> None:
        self._cache: dict[str, str] = {}
        self._paths, self._hosts, self._quoted = paths, hosts, quoted

    def tokens(self, content: str) -> list[str]:
        if self._quoted and ('"' in content or "'" in content):
            content = _QUOTED.sub(WILDCARD, content)
        get = self._cache.get
        return [get(token) or self._mask(token) for token in content.split()]

    def _mask(self, token: str) -> str:
        if token.isdigit():
            masked = WILDCARD
        elif _MAYBE_VARIABLE.search(token):
            masked = _WHOLE.sub(WILDCARD, token) if ("@" in token or "://" in token) else token
            if self._paths and ("/" in token or "\\" in token):
                masked = _PATH.sub(WILDCARD, masked)
            if self._hosts and "." in masked:
                masked = _HOST.sub(WILDCARD, masked)
            masked = _VARIABLE.sub(WILDCARD, masked)
        else:
            masked = token
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()  # bounded; frequent tokens come straight back
        self._cache[token] = masked
        return masked
