"""Severity levels: canonical names, recognition of level tokens, and keyword inference for lines without one."""

from __future__ import annotations

import re

# Canonical levels, most severe last; "unknown" is used when a line names none and no keyword suggests one.
LEVELS = ("debug", "info", "notice", "warning", "error", "critical")
UNKNOWN = "unknown"
ERROR_LEVELS = frozenset({"error", "critical"})
WARN_LEVELS = frozenset({"warning"})

_ALIASES = {
    "TRACE": "debug", "DEBUG": "debug", "DBG": "debug", "FINE": "debug", "FINER": "debug", "FINEST": "debug",
    "INFO": "info", "INFORMATION": "info", "CONFIG": "info", "LOG": "info", "NOTE": "info", "VERBOSE": "debug",
    "NOTICE": "notice",
    "WARN": "warning", "WARNING": "warning",
    "ERROR": "error", "ERR": "error", "SEVERE": "error", "FAILURE": "error",
    "FATAL": "critical", "CRITICAL": "critical", "CRIT": "critical", "ALERT": "critical",
    "EMERG": "critical", "EMERGENCY": "critical", "PANIC": "critical",
}

# A bare level is upper case (a lower-case "error" is more often prose); bracketed or key=value forms may be any case.
# Title case (`Info`, `Warning`) is a level too in a header (Windows and .NET logs write it so).
_NAMES = "|".join(_ALIASES)
_BARE = re.compile(r"(" + _NAMES + "|" + "|".join(name.title() for name in _ALIASES) + r")[:,]?")
# `[error]`, `<warn>`, and Apache 2.4's `[module:level]`
_WRAPPED = re.compile(r"[\[<(](?:\w+:)?(" + _NAMES + r")[\]>)][:,]?", re.IGNORECASE)
_KEYED = re.compile(r"(?:level|lvl|severity|loglevel)=[\"']?(" + _NAMES + r")[\"']?,?", re.IGNORECASE)

_ERROR_WORDS = re.compile(
    r"\b(?:error|errors|exception|fatal|panic|fail|failed|failure|traceback|segfault|refused|denied|unreachable)\b",
    re.IGNORECASE,
)
_WARN_WORDS = re.compile(r"\b(?:warn|warning|deprecated|timeout|timed out|retry|retrying|invalid)\b", re.IGNORECASE)


SYSLOG_SEVERITIES = ("critical", "critical", "critical", "error", "warning", "notice", "info", "debug")


def canonical(name: str) -> str | None:
    """The canonical level of a level name in any common spelling, or None."""
    return _ALIASES.get(name.upper())


def level_of_token(token: str) -> str | None:
    """The canonical level when a header token is a level (`ERROR`, `[warn]`, `<info>`, `level=debug`)."""
    m = _BARE.fullmatch(token) or _WRAPPED.fullmatch(token) or _KEYED.fullmatch(token)
    return _ALIASES[m.group(1).upper()] if m else None


def infer_level(content: str) -> str:
    """A level guessed from words in the message, for lines whose header names none."""
    if _ERROR_WORDS.search(content):
        return "error"
    if _WARN_WORDS.search(content):
        return "warning"
    return UNKNOWN


def http_status_level(status: int) -> str:
    """The level an HTTP access-log line implies from its status code."""
    if status >= 500:
        return "error"
    if status >= 400:
        return "warning"
    return "info"
