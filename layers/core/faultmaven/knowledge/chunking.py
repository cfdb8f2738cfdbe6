"""Structure-aware chunking: splits a document into chunks small enough to embed, keeping context.

Markdown (and HTML, converted to Markdown-like text first) is cut at headings: each chunk belongs to one section and
carries the document title and its heading path, so "Diagnosis" in one runbook is told apart from "Diagnosis" in
another. A section longer than `max_chars` is cut at paragraph, then line, then word boundaries, and consecutive
chunks of that section overlap by up to `overlap_chars` so a sentence cut in two is whole in one of them. Other
formats (plain text, logs, JSON, YAML, CSV) are cut at blank lines and lines; CSV chunks repeat the header row.
Sizes are bounded in characters: about 4 characters per token in English, so the 1,000-character default stays
under the 256 tokens all-MiniLM-L6-v2 reads.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import PurePath
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from faultmaven.ports.vector_index import Chunk, Scope

TextFormat = Literal["markdown", "html", "text", "log", "json", "csv", "yaml"]

_FORMAT_BY_SUFFIX: dict[str, TextFormat] = {
    ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json",
    ".csv": "csv", ".yaml": "yaml", ".yml": "yaml", ".log": "log", ".out": "log", ".err": "log", ".trace": "log",
}
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class ChunkingOptions(BaseModel, frozen=True):
    max_chars: int = Field(default=1000, ge=200)
    overlap_chars: int = Field(default=150, ge=0)

    @model_validator(mode="after")
    def _overlap_below_half(self) -> ChunkingOptions:
        if self.overlap_chars * 2 > self.max_chars:
            raise ValueError("overlap_chars must be at most half of max_chars")
        return self


class DocumentRef(BaseModel):
    """The document a chunk comes from and who may see it."""

    document_id: str = Field(min_length=1)
    owner_id: str = Field(min_length=1)
    scope: Scope = "personal"
    team_id: str | None = None
    title: str = ""  # when empty, a leading Markdown H1 (or HTML <title>) is used


def format_for(filename: str) -> TextFormat:
    """The text format chunking applies to a file name; anything unknown is plain text."""
    return _FORMAT_BY_SUFFIX.get(PurePath(filename).suffix.lower(), "text")


def chunk_document(
    content: str, document: DocumentRef, fmt: TextFormat = "text", options: ChunkingOptions | None = None
) -> list[Chunk]:
    """Split a document's text into ordered chunks; an empty document has none."""
    opts = options or ChunkingOptions()
    content = content.replace("\r\n", "\n").replace("\r", "\n")
    found_title: str | None = None
    if fmt == "html":
        found_title, content = html_to_markdown(content)
        fmt = "markdown"
    if fmt == "markdown":
        h1, sections = _markdown_sections(content)
        found_title = found_title or h1
        pieces = [(path, text) for path, body in sections for text in _pack(_blocks(body), opts)]
    elif fmt == "csv":
        pieces = [((), text) for text in _csv_pieces(content, opts)]
    else:
        if fmt == "json":
            content = _pretty_json(content)
        pieces = [((), text) for text in _pack(_blocks(content.split("\n")), opts)]
    title = document.title or found_title or ""
    return [
        Chunk(
            chunk_id=f"{document.document_id}#{ordinal}",
            document_id=document.document_id,
            owner_id=document.owner_id,
            scope=document.scope,
            team_id=document.team_id,
            title=title,
            heading_path=list(path),
            text=text,
            ordinal=ordinal,
        )
        for ordinal, (path, text) in enumerate(pieces)
    ]


def _markdown_sections(content: str) -> tuple[str | None, list[tuple[tuple[str, ...], list[str]]]]:
    """Cut Markdown at ATX headings (never inside code fences). A leading H1 is the title, not a path entry."""
    title: str | None = None
    stack: list[tuple[int, str]] = []
    sections: list[tuple[tuple[str, ...], list[str]]] = [((), [])]
    fence: str | None = None
    for line in content.split("\n"):
        marker = _FENCE.match(line)
        if marker:
            token = marker.group(1)
            if fence is None:
                fence = token
            elif token[0] == fence[0] and len(token) >= len(fence):
                fence = None
        heading = None if fence is not None or marker else _HEADING.match(line)
        if heading is None:
            sections[-1][1].append(line)
            continue
        level, text = len(heading.group(1)), heading.group(2).strip()
        if level == 1 and title is None and not stack and not any(ln.strip() for ln in sections[0][1]):
            title = text
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        sections.append((tuple(t for _, t in stack), []))
    return title, [(path, body) for path, body in sections if any(ln.strip() for ln in body)]


def _blocks(lines: list[str]) -> list[str]:
    """Paragraphs: runs of lines split at blank lines, with a fenced code block kept as one block."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in lines:
        marker = _FENCE.match(line)
        if marker:
            token = marker.group(1)
            if fence is None:
                fence = token
            elif token[0] == fence[0] and len(token) >= len(fence):
                fence = None
        if not line.strip() and fence is None:
            if current:
                blocks.append("\n".join(current).strip("\n"))
            current = []
        else:
            current.append(line.rstrip())
    if current:
        blocks.append("\n".join(current).strip("\n"))
    return [b for b in blocks if b.strip()]


def _pack(blocks: list[str], opts: ChunkingOptions) -> list[str]:
    """Greedily join blocks into chunks; every chunk after the first starts with the tail of the one before."""
    budget = opts.max_chars - opts.overlap_chars  # room for new text in each chunk
    groups: list[str] = []
    for unit in (u for block in blocks for u in _fit(block, budget)):
        if groups and len(groups[-1]) + 2 + len(unit) <= budget:
            groups[-1] = f"{groups[-1]}\n\n{unit}"
        else:
            groups.append(unit)
    if opts.overlap_chars == 0:
        return groups
    return groups[:1] + [
        f"{tail}\n{group}" if (tail := _tail(prev, opts.overlap_chars - 1)) else group
        for prev, group in pairwise(groups)
    ]


def _fit(block: str, budget: int) -> list[str]:
    """Cut a block longer than the budget at line ends, and a line longer than the budget at spaces."""
    if len(block) <= budget:
        return [block]
    pieces: list[str] = []
    for line in block.split("\n"):
        for part in _split_words(line, budget):
            if pieces and len(pieces[-1]) + 1 + len(part) <= budget:
                pieces[-1] = f"{pieces[-1]}\n{part}"
            else:
                pieces.append(part)
    return [p for p in pieces if p.strip()]


def _split_words(line: str, budget: int) -> list[str]:
    parts: list[str] = []
    while len(line) > budget:
        cut = line.rfind(" ", budget // 2, budget + 1)
        cut = cut if cut > 0 else budget  # one very long token (a hash, a URL): cut it hard
        parts.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    parts.append(line)
    return parts


def _tail(text: str, limit: int) -> str:
    """At most `limit` trailing characters of text, starting on a word boundary."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    tail = text[-limit:]
    space = next((i for i, ch in enumerate(tail) if ch.isspace()), -1)
    return tail[space + 1 :].lstrip() if space >= 0 else tail


def _csv_pieces(content: str, opts: ChunkingOptions) -> list[str]:
    lines = [ln for ln in content.split("\n") if ln.strip()]
    if not lines:
        return []
    header, rows = lines[0][: opts.max_chars // 2], lines[1:]
    if not rows:
        return [header]
    budget = opts.max_chars - len(header) - 1
    bodies = _fit("\n".join(rows), budget)
    return [f"{header}\n{body}" for body in bodies]


def _pretty_json(content: str) -> str:
    """Compact JSON gets one value per line so it can be cut at lines; anything else is left as it is."""
    if content.count("\n") > 2:
        return content
    try:
        return json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except ValueError:
        return content


class _HtmlToMarkdown(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    _BLOCK = {"p", "div", "section", "article", "li", "tr", "br", "table", "ul", "ol", "pre", "blockquote", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip_depth += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self._BLOCK:
            self.out.append("\n\n" if tag in {"p", "div", "section", "article", "table", "pre"} else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCK:
            self.out.append("\n\n" if tag[0] == "h" or tag in {"p", "div", "table", "pre"} else "\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip_depth:
            self.out.append(data if self.out and not self.out[-1].endswith("# ") else data.lstrip())


def html_to_markdown(html: str) -> tuple[str | None, str]:
    """Strip tags (scripts and styles with their content), turning <h1>..<h6> into Markdown headings."""
    parser = _HtmlToMarkdown()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = " ".join("".join(parser.title).split()) or None
    return title, text
