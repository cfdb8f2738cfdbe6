"""The one-pass scanner: all anchored rules in one compiled alternation, the rest as literal-prefixed passes."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from faultmaven.sanitize.rules import Finding, Hit, Options, Rule
from faultmaven.sanitize.validators import is_masked

_GROUP = re.compile(r"\(\?P<(\w+)>")


def _local_groups(pattern: str, prefix: str) -> str:
    return _GROUP.sub(lambda m: f"(?P<{prefix}{m.group(1)}>", pattern)


_DIGIT_CLASSES = str.maketrans("0123456789", "0022222000")


@dataclass(frozen=True)
class _Pass:
    regex: re.Pattern[str]
    rule_of_group: dict[int, tuple[Rule, dict[str, int]]]  # outer group number -> rule, its groups' numbers
    literal: str  # every match contains it: a text without it skips the pass (one memchr instead of a regex call)
    digit_classes: bool = False


_ESCAPED = re.compile(r"\\(.)")


class Scanner:
    """Finds non-overlapping spans to redact. Thread-safe: holds only compiled patterns."""

    def __init__(self, rules: Sequence[Rule], options: Options) -> None:
        self.options = options
        by_anchor: dict[str, dict[tuple[str, str], list[tuple[str, str, Rule]]]] = {}
        self._passes: list[_Pass] = []
        for index, rule in enumerate(rules):
            name = f"R{index}"
            body = _local_groups(rule.pattern, f"{name}_")
            if rule.anchor:
                if not rule.pattern.startswith(rule.anchor):
                    raise ValueError(f"rule {rule.label} does not start with its anchor")
                # Only the anchor is consumed; the rest is a lookahead, so a candidate that its extractor rejects
                # never hides a different rule's match starting inside it.
                tail = body[len(rule.anchor) :]
                part = f"(?P<{name}>(?=(?P<{name}_t>{tail})))"
                guard = (rule.before, rule.after)
                by_anchor.setdefault(rule.anchor, {}).setdefault(guard, []).append((name, part, rule))
            else:
                regex = re.compile(f"(?P<{name}>{body})")
                self._passes.append(_Pass(regex, _rule_groups(regex, {name: rule}), rule.needs, rule.digit_classes))
        # One pass per anchor: a pattern that starts with one literal lets the regex engine skip to the next anchor
        # in C; a single alternation of all anchors would enter the matcher at every position.
        # Each group's guard is tested once, outside the rules' capturing lookaheads (the costly part of a branch).
        for anchor, by_guard in by_anchor.items():
            branches = []
            rules: dict[str, Rule] = {}
            for (before, after), parts in sorted(by_guard.items(), key=lambda item: item[0] == ("", "")):
                guard = (f"(?<={before}{anchor})" if before else "") + (f"(?={after})" if after else "")
                branches.append(guard + "(?:" + "|".join(part for _, part, _ in parts) + ")")
                rules.update({name: rule for name, _, rule in parts})
            regex = re.compile(f"{anchor}(?:{'|'.join(branches)})")
            self._passes.append(_Pass(regex, _rule_groups(regex, rules), _ESCAPED.sub(r"\1", anchor)))

    def scan(self, text: str) -> list[tuple[Finding, Rule]]:
        found: list[tuple[Finding, Rule]] = []
        classed = ""
        for scan_pass in self._passes:
            source = text
            if scan_pass.digit_classes:
                source = classed = classed or text.translate(_DIGIT_CLASSES)
            if scan_pass.literal not in source:
                continue
            rule_of_group, options = scan_pass.rule_of_group, self.options
            for match in scan_pass.regex.finditer(source):
                rule, groups = rule_of_group[match.lastindex or 0]
                for finding in rule.extract(rule, Hit(text, match, groups, options)):
                    if finding[1] > finding[0] and (rule.kind == "pii" or not _masked(text, finding)):
                        found.append((finding, rule))
        return resolve_overlaps(found)


def _masked(text: str, finding: Finding) -> bool:
    """A secret-shaped value filled with mask characters, or cut short with an ellipsis (`ops_eyJz...`), for every
    secret rule at once: a shape rule may stop right before the mask (`xoxp-5723...-####`), so the next characters
    count too. A PEM body is checked by its own rule (4 `x` in a long base64 block are not rare)."""
    start, end, label = finding
    if label == "private_key" or end - start >= 512:
        return False
    return is_masked(text[start : end + 4]) or text.startswith(("...", "…"), end)


def _rule_groups(regex: re.Pattern[str], rules: dict[str, Rule]) -> dict[int, tuple[Rule, dict[str, int]]]:
    """For each rule's outer group number (a match's `lastindex`: it closes last), the rule and its own groups."""
    out = {}
    for name, rule in rules.items():
        prefix = f"{name}_"
        own = {g[len(prefix) :]: i for g, i in regex.groupindex.items() if g.startswith(prefix)}
        out[regex.groupindex[name]] = (rule, own)
    return out


def _priority(rule: Rule) -> int:
    """Shape-matched secrets first, then secrets found by key name, then personal data."""
    return 2 if rule.kind == "pii" else int(rule.remember)


def resolve_overlaps(found: list[tuple[Finding, Rule]]) -> list[tuple[Finding, Rule]]:
    """Non-overlapping spans in text order: among overlapping ones the higher priority, then the earlier and longer."""
    found.sort(key=lambda item: (_priority(item[1]), item[0][0], -item[0][1]))
    starts: list[int] = []
    kept: list[tuple[Finding, Rule]] = []
    for item in found:
        start, end, _ = item[0]
        i = bisect.bisect_right(starts, start)
        if (i and kept[i - 1][0][1] > start) or (i < len(kept) and kept[i][0][0] < end):
            continue
        starts.insert(i, start)
        kept.insert(i, item)
    return kept
