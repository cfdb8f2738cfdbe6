"""The sanitizer every outbound payload goes through."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from faultmaven.sanitize.engine import Scanner, resolve_overlaps
from faultmaven.sanitize.formats import FORMAT_RULES
from faultmaven.sanitize.placeholders import PLACEHOLDER, PlaceholderMap, line_breaks
from faultmaven.sanitize.rules import BUILTIN_RULES, Finding, Options, Rule, extra_rule

if TYPE_CHECKING:
    from faultmaven.settings import Settings

LABEL = re.compile(r"[a-z][a-z0-9_]{0,39}")
_REMEMBERED_MIN_LEN = 6  # shorter context-found values (`pass=abc`) would match ordinary words elsewhere
_REMEMBERED = Rule("secret", "", remember=True)
# An ECMA-48 CSI sequence (SGR colours, erase-line `ESC[K`) as script(1), tmux capture-pane -e and CI logs keep them.
_ANSI_CODE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _blanks(code: re.Match[str]) -> str:
    """As many blanks as the escape code: offsets in the blanked text are offsets in the original."""
    return " " * len(code.group())


@dataclass(frozen=True)
class SanitizeResult:
    text: str
    summary: dict[str, int]  # occurrences redacted per label; never values
    mapping: PlaceholderMap = field(repr=False)

    @property
    def redacted(self) -> bool:
        return bool(self.summary)


class Sanitizer:
    """Detects secrets and personal data and replaces them with `{{REDACTED:label}}` placeholders."""

    def __init__(
        self,
        *,
        allowlist: Iterable[str] = (),
        extra_patterns: Mapping[str, str] | None = None,
        redact_private_ips: bool = False,
        enabled: bool = True,
    ) -> None:
        self.enabled = enabled
        exact, patterns = set(), []
        for entry in allowlist:
            if entry.startswith("re:"):
                patterns.append(re.compile(entry[3:]))
            else:
                exact.add(entry)
        self._allowed_exact = frozenset(exact)
        self._allowed_patterns = tuple(patterns)
        extras = []
        for label, pattern in (extra_patterns or {}).items():
            if not LABEL.fullmatch(label):
                raise ValueError(f"sanitizer label {label!r} must be lowercase letters, digits and underscores")
            extras.append(extra_rule(label, pattern))
        # Format rules last: at a shared anchor the first matching rule decides (see sanitize/formats.py).
        self._scanner = Scanner((*BUILTIN_RULES, *FORMAT_RULES, *extras),
                                Options(redact_private_ips=redact_private_ips))

    @classmethod
    def from_settings(cls, settings: Settings) -> Sanitizer:
        return cls(
            allowlist=settings.sanitize_allowlist,
            extra_patterns=settings.sanitize_extra_patterns,
            redact_private_ips=settings.sanitize_redact_private_ips,
            enabled=settings.sanitize_enabled,
        )

    def is_allowed(self, value: str) -> bool:
        return value in self._allowed_exact or any(p.fullmatch(value) for p in self._allowed_patterns)

    def sanitize(self, text: str, mapping: PlaceholderMap | None = None) -> SanitizeResult:
        mapping = mapping if mapping is not None else PlaceholderMap()
        if not self.enabled or not text:
            return SanitizeResult(text, {}, mapping)
        found = self._scanner.scan(text)
        # Terminal colour codes around a key or its value: scan again with them blanked out. (`ESC` first: one memchr,
        # where the two-character search costs 1.8 ms on 2 MB of logs.)
        if "\x1b" in text and "\x1b[" in text:
            found = resolve_overlaps(found + self._scanner.scan(_ANSI_CODE.sub(_blanks, text)))
        if self._allowed_exact or self._allowed_patterns:
            found = [item for item in found if not self.is_allowed(text[item[0][0] : item[0][1]])]
        # Sanitizing sanitized text changes nothing: placeholders stay whole. (`{` first: one memchr, where the full
        # search costs a scan of its own on a long text; it starts there, as any placeholder does.)
        if found and (brace := text.find("{")) >= 0 and text.find("{{REDACTED:", brace) >= 0:
            kept = [m.span() for m in PLACEHOLDER.finditer(text)]
            found = [item for item in found if not any(s < item[0][1] and item[0][0] < e for s, e in kept)]
        if not found and not len(mapping):  # the common case for short payloads: nothing to redact, nothing known
            return SanitizeResult(text, {}, mapping)
        for (start, end, _label), rule in found:
            if rule.remember:
                mapping.placeholder_for(text[start:end], _label, remember=True)
        if len(mapping):  # values remembered earlier in this text or case
            found = resolve_overlaps(found + self._remembered_occurrences(text, mapping))
        values = [text[start:end] for (start, end, _), _ in found]
        placeholders = mapping.placeholders_for([(value, label, rule.remember)
                                                 for value, ((_, _, label), rule) in zip(values, found, strict=True)])
        out: list[str] = []
        pos = 0
        for ((start, end, _), _), value, placeholder in zip(found, values, placeholders, strict=True):
            out += (text[pos:start], placeholder, line_breaks(value))
            pos = end
        out.append(text[pos:])
        summary = Counter(label for (_, _, label), _ in found)  # counted in C, not per finding in the loop
        return SanitizeResult("".join(out), dict(summary), mapping)

    def sanitize_data(self, value: Any, mapping: PlaceholderMap) -> Any:
        """Every string in a JSON-like value (dict keys too) sanitized with `mapping`; other values as they are.

        A value learnt from its key late in the structure (`password=...` in the last message) is also redacted
        where it appeared earlier: when a walk adds values to the map, a second walk applies them everywhere.
        """
        known = len(mapping)
        clean = self._walk(value, mapping)
        return self._walk(clean, mapping) if len(mapping) != known else clean

    def _walk(self, value: Any, mapping: PlaceholderMap) -> Any:
        if isinstance(value, str):
            return self.sanitize(value, mapping).text
        if isinstance(value, dict):
            return {self._walk(k, mapping): self._walk(v, mapping) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._walk(v, mapping) for v in value]
        return value

    def _remembered_occurrences(self, text: str, mapping: PlaceholderMap) -> list[tuple[Finding, Rule]]:
        """Every occurrence of a value that context marked as secret earlier in this text or case."""
        values = [v for v in mapping.remembered() if len(v) >= _REMEMBERED_MIN_LEN and v in text]
        found: list[tuple[Finding, Rule]] = []
        for value in values:
            label = mapping.label_of(value) or "secret"
            start = text.find(value)
            while start >= 0:
                found.append(((start, start + len(value), label), _REMEMBERED))
                start = text.find(value, start + len(value))
        return found
