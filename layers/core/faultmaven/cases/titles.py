"""Case titles: the dated placeholder a new case gets, and a short title drawn from the conversation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

PLACEHOLDER_RE = re.compile(r"^Case-\d{6}-\d+$")
MAX_TITLE = 80
_REDACTED_RE = re.compile(r"\{\{REDACTED:[^}]*\}\}")
_CODE_FENCE_RE = re.compile(r"```.*?(```|$)", re.S)
_URL_RE = re.compile(r"https?://\S+")
_MARKUP_RE = re.compile(r"[`*_#>\[\]|]+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_FILLER_RE = re.compile(r"^(hi|hello|hey|please|so|ok|okay)\b[\s,!.:-]*", re.I)


def placeholder_title(day: datetime, number: int) -> str:
    """`Case-YYMMDD-N`: the title of a case nobody named yet (N counts the owner's cases of that day)."""
    return f"Case-{day:%y%m%d}-{number}"


def is_placeholder(title: str) -> bool:
    return bool(PLACEHOLDER_RE.match(title))


def _clean(text: str) -> str:
    text = _CODE_FENCE_RE.sub(" ", text)
    text = _REDACTED_RE.sub(" ", text)  # never put even a placeholder for a secret into a title
    text = _URL_RE.sub(" ", text)
    return _MARKUP_RE.sub(" ", text)


def _shorten(text: str) -> str:
    if len(text) <= MAX_TITLE:
        return text
    cut = text[:MAX_TITLE + 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return (cut if len(cut) >= MAX_TITLE // 2 else text[:MAX_TITLE]).rstrip() + "…"


def title_from_conversation(user_messages: Iterable[str]) -> str | None:
    """A short title from the first user message that says something (at least three words), else None."""
    for message in user_messages:
        for sentence in _SENTENCE_END_RE.split(_clean(message)):
            words = _FILLER_RE.sub("", " ".join(sentence.split())).strip(" -:,")
            if len(words.split()) >= 3:
                words = words.rstrip(".!").rstrip()
                return _shorten(words[0].upper() + words[1:])
    return None
