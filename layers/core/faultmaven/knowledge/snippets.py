"""Search-result snippets: the window of a chunk where the query's words cluster, with those words highlighted."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from faultmaven.knowledge.query_terms import name_parts

_WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to be worth highlighting (they would light up every snippet).
_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "in", "is", "it",
    "my", "of", "on", "or", "our", "the", "this", "to", "was", "what", "when", "where", "which", "why", "with",
})


@dataclass(frozen=True)
class Marks:
    open: str
    close: str
    escape_html: bool  # escape the text first, so the snippet is safe to render as HTML


HTML_MARKS = Marks("<mark>", "</mark>", escape_html=True)
MARKDOWN_MARKS = Marks("**", "**", escape_html=False)


def query_terms(query: str) -> list[str]:
    """The query's distinct words worth matching, lower-cased, in order."""
    words = (w.lower() for w in _WORD.findall(query))
    return list(dict.fromkeys(w for w in words if len(w) > 1 and w not in _STOPWORDS))


_INFLECTIONS = ("", "s", "es", "ed", "d", "ing")


def _term_matches(text: str, terms: list[str]) -> list[re.Match[str]]:
    """The words of `text` that are a query term: the term itself, the term inflected ("restart" lights up
    "restarts", as the stemmed index matched it), or a CamelCase name made of it ("DiskPressure" for "disk") —
    never a longer word it merely starts ("up" must not light up "update")."""
    if not terms:
        return []
    wanted = {t + suffix for t in terms for suffix in _INFLECTIONS}
    found = []
    for m in _WORD.finditer(text):
        word = m.group(0).lower()
        if word in wanted or (len(word) > 3 and any(p in wanted for p in name_parts(m.group(0)))):
            found.append(m)
    return found


def excerpt(text: str, query: str, width: int = 240) -> str:
    """About `width` characters of `text` (whitespace collapsed) around the densest cluster of query words."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    matches = _term_matches(flat, query_terms(query))
    start = 0
    if matches:
        best = -1
        for m in matches:
            candidate = max(0, m.start() - width // 5)
            found = {x.group(0).lower() for x in matches if candidate <= x.start() and x.end() <= candidate + width}
            if len(found) > best:
                best, start = len(found), candidate
    end = min(len(flat), start + width)
    if start > 0:
        space = flat.find(" ", start, start + 30)
        start = space + 1 if space >= 0 else start
    if end < len(flat):
        space = flat.rfind(" ", end - 30, end)
        end = space if space > start else end
    return ("… " if start > 0 else "") + flat[start:end] + (" …" if end < len(flat) else "")


def highlight(text: str, query: str, marks: Marks = HTML_MARKS) -> str:
    """Wrap each occurrence of a query word in `marks` (escaping the rest when the marks are HTML)."""
    out: list[str] = []
    position = 0
    escape = html.escape if marks.escape_html else (lambda s: s)
    for m in _term_matches(text, query_terms(query)):
        out.append(escape(text[position : m.start()]))
        out.append(f"{marks.open}{escape(m.group(0))}{marks.close}")
        position = m.end()
    out.append(escape(text[position:]))
    return "".join(out)
