"""Markdown as it reaches the index: YAML front matter taken off (kept as fields) and raw HTML reduced to its text.

Runbooks often start with front matter (`title:`, `tags:`, `owner:`) and use HTML inside Markdown (`<details>`,
`<summary>`, `<br>`, comments). Left in, it fills snippets with markup and matches queries on attribute names. Tags
and comments are removed outside code fences (code keeps them verbatim: a runbook may show HTML on purpose); the text
between tags stays.
"""

from __future__ import annotations

import html
import re

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
MAX_FIELDS = 32
MAX_VALUE_CHARS = 300


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(the front matter's top-level `key: value` fields, the text after it); ({}, text) when there is none."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        field = _FIELD.match(line)
        if field and len(fields) < MAX_FIELDS:
            fields[field.group(1)] = field.group(2).strip("'\"")[:MAX_VALUE_CHARS]
    return fields, text[match.end():]


def strip_html(text: str) -> str:
    """The Markdown with HTML comments and tags removed outside code fences, entities decoded there."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if prose:
            cleaned = _TAG.sub("", _COMMENT.sub("", "\n".join(prose)))
            out.append(html.unescape(cleaned))
            prose.clear()

    for line in text.split("\n"):
        marker = _FENCE.match(line)
        if fence is None and marker:
            flush()
            fence = marker.group(1)[0] * 3
            out.append(line)
        elif fence is not None:
            out.append(line)
            if marker and marker.group(1).startswith(fence):
                fence = None
        else:
            prose.append(line)
    flush()
    return "\n".join(out)
