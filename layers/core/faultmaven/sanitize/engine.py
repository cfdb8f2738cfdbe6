"""The one-pass scanner: all anchored rules in one compiled alternation, the rest as literal-prefixed passes."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import chain, groupby, pairwise

from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, Implementation

from faultmaven.sanitize.first_chars import first_class, last_class, literal_prefix
from faultmaven.sanitize.rules import Finding, Hit, Options, Rule
from faultmaven.sanitize.validators import is_masked

_GROUP = re.compile(r"\(\?P<(\w+)>")
_BACKREFERENCE = re.compile(r"\(\?P=(\w+)\)")


def _local_groups(pattern: str, prefix: str) -> str:
    """The pattern with its named groups, and back-references to them, prefixed with the rule's name."""
    return _BACKREFERENCE.sub(lambda m: f"(?P={prefix}{m.group(1)})",
                              _GROUP.sub(lambda m: f"(?P<{prefix}{m.group(1)}>", pattern))


# One letter in either case as `(?i:a)` writes it (the key words' last two letters, keys.py): as a class of the same
# characters, the regex engine tests it without entering an alternative that begins with it, where it enters every
# alternative that begins with a case-insensitive literal. `re` folds three letters with non-ASCII ones too.
_CASELESS_LETTER = re.compile(r"(?<!\\)\(\?i:([A-Za-z])\)")
_FOLDED = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def _letter_classes(pattern: str) -> str:
    """`pattern` with each `(?i:x)` of one ASCII letter written as the class of the characters it matches."""
    return _CASELESS_LETTER.sub(lambda m: f"[{m[1].lower()}{m[1].upper()}{_FOLDED.get(m[1].lower(), '')}]", pattern)


# The text a `digit_classes` rule is scanned in: digits 2-6 (card issuers' first digits) as `2`, the others as `0`, and
# ASCII punctuation and blanks other than `_ . + - /` and the space as `#`, so that its `starts` can name them at once.
_DIGIT_CLASSES = str.maketrans({**{d: "2" if d in "23456" else "0" for d in "0123456789"},
                                **{c: "#" for c in map(chr, range(128)) if not c.isalnum() and c not in "_.+-/ "}})
# ASCII upper-case letters as `A`, digits as `0`: the text a rule's `starts` are found in, made from an ASCII text's
# bytes, which its starts' automaton reads (a third of the cost of a `str.translate` and its encoding, 2 MB each).
_CASE_CLASSES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"A" * 26 + b"0" * 10)
# Below this length (a message, a log line) the prefilters cost more than they save: a search per literal is cheaper
# than a regex call per character, and a rule's `starts` than translating the text.
_LONG = 4096


@dataclass(frozen=True)
class _Pass:
    regex: re.Pattern[str]
    rule_of_group: dict[int, tuple[Rule, dict[str, int]]]  # outer group number -> rule, its groups' numbers
    literal: str  # every match contains it: a text without it skips the pass (one memchr instead of a regex call)
    digit_classes: bool = False
    starts: tuple[tuple[str, int], ...] = ()  # the rule's `starts`: the only places a match may begin
    leads: bool = False  # every match begins with `literal`
    # When `literal` does not lead: an automaton of the text of 2+ characters every match begins with (`rootpw` where
    # the literal is `pw`), which finds it in an ASCII text's bytes once `literal` is there, so the pass is tried only
    # where it is. (Not in the literal scan: `admin` matched 2,519 times in Loghub for an absent `admin user add`.)
    prefix_finder: BytesAhoCorasick | None = None
    # For `starts` that are one character and then the beginning of every match: that character and the regex behind
    # it, one scan each.
    prefixed: tuple[tuple[str, re.Pattern[str]], ...] = ()
    # For other `starts`: an automaton of their literals, which finds them all (overlapping ones too) in one scan of
    # an ASCII text's bytes: a `str.find` per occurrence costs 2.5 times as much (`0` and `A` are frequent there).
    starts_finder: BytesAhoCorasick | None = None
    # An anchor's pass: its rules' parts in the order they are tried, so that a candidate the matching rule rejects can
    # be offered to the rules after it (see `_Fallbacks`).
    parts: tuple[tuple[str, str, Rule, tuple[str, str]], ...] = ()
    line_head: re.Pattern[str] | None = None  # the rule's `line_head`


class _Literals:
    """Which of the passes' literals a text holds, in one Aho-Corasick scan (Rust, `ahocorasick_rs`): a search per
    literal costs about 0.8 ms on 2 MB whether it is there or not, and on a 200-character message 90 ns, 45 us for
    500 literals where the scan costs 1.5 us; the passes skip most texts on it."""

    def __init__(self, literals: Sequence[str]) -> None:
        self.literals = tuple(sorted(set(literals)))
        # Only these can be in an ASCII text; the others' UTF-8 bytes would widen the automaton's alphabet, and with it
        # the table it reads per byte (a tenth of the scan on 2 MB of logs for 23 localized key names).
        self._ascii = tuple(literal for literal in self.literals if literal.isascii())
        # A DFA, asked for: by default the library builds an NFA past 100 patterns, half again as slow on a long text.
        # Over bytes: an ASCII text's byte offsets are its character offsets, which spares the library converting
        # them (a third of the scan on 2 MB of logs) and builds in a fifth of the time.
        self._bytes = BytesAhoCorasick([literal.encode() for literal in self._ascii],
                                       implementation=Implementation.DFA)

    @cached_property
    def _chars(self) -> AhoCorasick:
        """The automaton over characters, for a text that is not ASCII (built when first needed)."""
        return AhoCorasick(self.literals, implementation=Implementation.DFA)

    def found(self, text: str, data: bytes | None = None) -> dict[str, list[int]]:
        """Each literal the text holds, with where it starts (in order); `data`, an ASCII text's bytes if at hand."""
        if data is None and text.isascii():
            data = text.encode("ascii")
        if data is not None:
            literals, matches = self._ascii, self._bytes.find_matches_as_indexes(data, overlapping=True)
        else:
            literals, matches = self.literals, self._chars.find_matches_as_indexes(text, overlapping=True)
        # A list per literal, indexed as the matches name them: half the cost of a dict lookup per match (14,795 in
        # Loghub's 2 MB).
        starts: list[list[int]] = [[] for _ in literals]
        for i, start, _ in matches:
            starts[i].append(start)
        return {literal: at for literal, at in zip(literals, starts, strict=True) if at}

    def held(self, text: str) -> set[str]:
        """The literals a short text holds, without their places (a list per literal costs more than its scan). A text
        that is not ASCII is searched per literal: it may hold a lone surrogate (`surrogateescape`), which the
        automaton over characters cannot read."""
        if not text.isascii():
            return {literal for literal in self.literals if literal in text}
        found = self._bytes.find_matches_as_indexes(text.encode("ascii"), overlapping=True)
        return {self._ascii[i] for i, _, _ in found}


def _prefiltered(scan_pass: _Pass) -> bool:
    """Whether a long text's one literal scan decides if the pass runs: a literal of one character is a memchr of its
    own, and a `digit_classes` pass's literal is in the classed copy of the text."""
    return len(scan_pass.literal) > 1 and not scan_pass.digit_classes


_ESCAPED = re.compile(r"\\(.)")
_REJECTED = "rejected"  # the group that marks a candidate the rule's `rejected` pattern says its extractor rejects


class Scanner:
    """Finds non-overlapping spans to redact. Thread-safe: holds only compiled patterns."""

    def __init__(self, rules: Sequence[Rule], options: Options) -> None:
        self.options = options
        by_anchor: dict[str, dict[tuple[str, str], list[tuple[str, str, Rule]]]] = {}
        self._passes: list[_Pass] = []
        for index, rule in enumerate(rules):
            name = f"R{index}"
            body = _letter_classes(_local_groups(rule.pattern, f"{name}_"))
            if rule.anchor:
                if not rule.pattern.startswith(rule.anchor):
                    raise ValueError(f"rule {rule.label} does not start with its anchor")
                # Only the anchor is consumed; the rest is a lookahead, so a candidate that its extractor rejects
                # never hides a different rule's match starting inside it.
                tail = body[len(rule.anchor) :]
                rejected = rule.rejected(options) if rule.rejected else ""
                # A rejected candidate is marked by an empty group, which fails the anchor's match (see `_anchor_pass`).
                mark = f"(?:(?={rejected})(?P<{name}_{_REJECTED}>)|)" if rejected else ""
                if rejected and _overlaps_itself(_ESCAPED.sub(r"\1", rule.anchor)):
                    raise ValueError(f"rule {rule.label}: a rejected candidate's anchor must not overlap itself")
                part = f"(?P<{name}>(?=(?P<{name}_t>{tail})){mark})"
                guard = (rule.before, rule.after)
                by_anchor.setdefault(rule.anchor, {}).setdefault(guard, []).append((name, part, rule))
            else:
                regex = re.compile(f"(?P<{name}>{body})")
                prefixed = ()
                if rule.starts and all(offset == 1 and _leads(body, literal[1:]) for literal, offset in rule.starts):
                    prefixed = tuple((literal[0], re.compile(re.escape(literal[0]) + regex.pattern))
                                     for literal, _ in rule.starts)
                finder = None
                if rule.starts and not prefixed:
                    finder = BytesAhoCorasick([literal.encode() for literal, _ in rule.starts])
                prefix = literal_prefix(body)
                leads = bool(rule.needs) and prefix.startswith(rule.needs)
                # (A classed text is not the one scanned for a prefix.)
                prefix_finder = None if len(prefix) < 2 or leads or rule.digit_classes \
                    else BytesAhoCorasick([prefix.encode()])
                self._passes.append(_Pass(regex, _rule_groups(regex, {name: rule}), rule.needs, rule.digit_classes,
                                          rule.starts, leads, prefix_finder, prefixed, starts_finder=finder,
                                          line_head=rule.line_head))
        # One pass per anchor: a pattern that starts with one literal lets the regex engine skip to the next anchor
        # in C; a single alternation of all anchors would enter the matcher at every position.
        for anchor, by_guard in by_anchor.items():
            ordered = sorted(by_guard.items(), key=lambda item: item[0] == ("", ""))
            self._passes.append(_anchor_pass(anchor, [(name, part, rule, guard) for guard, parts in ordered
                                                      for name, part, rule in parts]))
        self._literals = _Literals([p.literal for p in self._passes if _prefiltered(p)])
        # The passes the literal scan decides, by literal; the others test their literal themselves.
        self._passes_of: dict[str, list[int]] = {}
        for index, scan_pass in enumerate(self._passes):
            if _prefiltered(scan_pass):
                self._passes_of.setdefault(scan_pass.literal, []).append(index)
        self._unfiltered = [index for index, scan_pass in enumerate(self._passes) if not _prefiltered(scan_pass)]
        self._fallbacks = _Fallbacks()

    def scan(self, text: str) -> list[tuple[Finding, Rule]]:
        found: list[tuple[Finding, Rule]] = []
        classed = ""
        cased = b""
        long = len(text) >= _LONG
        data = text.encode("ascii") if long and text.isascii() else None
        present = self._literals.found(text, data) if long else None
        held = present.keys() if present is not None else self._literals.held(text)
        # Only the passes of the literals the text holds, in their order (at a shared span the first pass's finding
        # is kept), and those whose literal is one character (a memchr), none, or in the classed text.
        for index in sorted(chain(self._unfiltered, *(self._passes_of[literal] for literal in held))):
            scan_pass = self._passes[index]
            source = text
            if scan_pass.digit_classes:
                source = classed = classed or text.translate(_DIGIT_CLASSES)
            if not _prefiltered(scan_pass) and scan_pass.literal not in source:
                continue
            if present is not None and scan_pass.leads and _prefiltered(scan_pass):
                # Every match begins with the literal, and the scan above found where it is: no pass over the text.
                matches: Iterable[re.Match[str]] = _matches_from(scan_pass.regex, source, present[scan_pass.literal],
                                                                 scan_pass.line_head)
            elif data is not None and scan_pass.prefix_finder is not None:
                found_at = scan_pass.prefix_finder.find_matches_as_indexes(data, overlapping=True)
                matches = _matches_from(scan_pass.regex, source, [at for _, at, _ in found_at], scan_pass.line_head)
            elif scan_pass.starts and data is not None:
                if not (scan_pass.prefixed or scan_pass.digit_classes):
                    cased = cased or data.translate(_CASE_CLASSES)
                matches = matches_at_starts(scan_pass, source, cased)
            elif long and scan_pass.leads and len(scan_pass.literal) == 1:
                matches = _matches_after(scan_pass, source)
            else:
                matches = scan_pass.regex.finditer(source)
            rule_of_group, parts = scan_pass.rule_of_group, scan_pass.parts
            for match in matches:
                rule, groups = rule_of_group[match.lastindex or 0]
                hits = self._findings(rule, text, match, groups)
                if not hits and parts:
                    hits = self._after_rejection(scan_pass, rule, text, source, match)
                found += hits
        return resolve_overlaps(found)

    def _findings(self, rule: Rule, text: str, match: re.Match[str],
                  groups: dict[str, int]) -> list[tuple[Finding, Rule]]:
        found = rule.extract(rule, Hit(text, match, groups, self.options))
        if not found:  # most candidates in logs
            return []
        return [(finding, rule) for finding in found
                if finding[1] > finding[0] and (rule.kind == "pii" or not _masked(text, finding))]

    def _after_rejection(self, scan_pass: _Pass, rule: Rule, text: str, source: str,
                         match: re.Match[str]) -> list[tuple[Finding, Rule]]:
        """What the anchor's later rules find where `rule` matched but its extractor found nothing (the first rule to
        match an anchor does not hide the others when it says no)."""
        while (scan_pass := self._fallbacks.after(scan_pass, rule)) is not None \
                and (match := scan_pass.regex.match(source, match.start())) is not None:
            rule, groups = scan_pass.rule_of_group[match.lastindex or 0]
            if hits := self._findings(rule, text, match, groups):
                return hits
        return []


def _anchor_pass(anchor: str, parts: Sequence[tuple[str, str, Rule, tuple[str, str]]]) -> _Pass:
    """One anchor's rules in one regex, tried in the order of `parts` (grouped by guard). Each group's guard is tested
    once, outside the rules' capturing lookaheads (the costly part of a branch); consecutive groups with the same
    `before` share its test. The alternation is atomic (a lookahead is): the first rule to match decides, and when that
    is a candidate its rule's `rejected` pattern marks, the anchor fails there (the next search starts after it, as
    after a match of the anchor; no later rule is tried) with no match object and no call. It is a lookahead, so that
    an alternative may begin with a test of the character after the anchor (see `_tested`); the match is the anchor
    alone."""
    branches: list[tuple[str, str | None]] = []
    for before, run in groupby(parts, key=lambda part: part[3][0]):
        groups = []
        for (_, after), group in groupby(run, key=lambda part: part[3]):
            members = list(group)
            after = after or _first_of(anchor, [rule for _, _, rule, _ in members])
            groups.append((f"(?={after})" if after else "", members, first_class([after]) if after else None))
        head = f"(?<={before}{anchor})" if before else ""
        firsts = [first for _, _, first in groups]
        chars = None if None in firsts else "[" + "".join(first[1:-1] for first in firsts) + "]"
        branch = head + "(?:" + "|".join(guard + _either(members) for guard, members, _ in groups) + ")"
        if tested := _tested(branch, chars):
            branches.append((tested, None))
        else:  # it begins with its `before`'s lookbehind
            branch = head + "(?:" + "|".join(_group_tested(anchor, *group) for group in groups) + ")"
            branches.append((branch, last_class([before]) if before else None))
    rejected = "".join(f"(?({name}_{_REJECTED})(?!))" for name, part, _, _ in parts
                       if f"(?P<{name}_{_REJECTED}>)" in part)
    # A lookahead is atomic already: the group inside it is atomic only for the rejected marks' test after it, which
    # must not send the engine back into the alternation (a plain group spares an atomic one's entry at every anchor).
    opening = "(?>" if rejected else "(?:"
    regex = re.compile(f"{anchor}(?={opening}{'|'.join(_behind_one_test(anchor, branches))}){rejected})")
    rules = {name: rule for name, _, rule, _ in parts}
    # Every match begins with the anchor, as the pattern does.
    return _Pass(regex, _rule_groups(regex, rules), _ESCAPED.sub(r"\1", anchor), leads=True, parts=tuple(parts))


def _behind_one_test(anchor: str, branches: list[tuple[str, str | None]]) -> Iterator[str]:
    """The branches, where consecutive ones that each begin with a lookbehind of the character before the anchor
    (`last`, a class) are behind one lookbehind of their classes together while that stays narrow: after most anchors
    (a version number's `.` after a digit) that one test fails where each branch's own would be entered in turn. A
    branch whose class is wide (any letter or digit: Airtable's token id before its `.`) stands alone, and does not
    keep the narrow ones around it from sharing their test."""
    run: list[tuple[str, str]] = []
    for branch, last in branches:
        if last is not None and _narrow(_union([*(c for _, c in run), last])):
            run.append((branch, last))
            continue
        yield from _one_test(anchor, run)
        run = [(branch, last)] if last is not None and _narrow(last) else []
        if not run:
            yield branch
    yield from _one_test(anchor, run)


def _union(classes: list[str]) -> str:
    return "[" + "".join(last[1:-1] for last in classes) + "]"


def _narrow(chars: str) -> bool:
    return len(re.findall(chars, _ASCII)) <= 2 * _NARROW


def _one_test(anchor: str, run: list[tuple[str, str]]) -> Iterator[str]:
    if len(run) > 1:
        yield f"(?<={_union([last for _, last in run])}{anchor})(?:" + "|".join(branch for branch, _ in run) + ")"
    else:
        yield from (branch for branch, _ in run)


def _either(members: list[tuple[str, str, Rule, tuple[str, str]]]) -> str:
    return "(?:" + "|".join(part for _, part, _, _ in members) + ")"


def _group_tested(anchor: str, guard: str, members: list[tuple[str, str, Rule, tuple[str, str]]],
                  first: str | None) -> str:
    """A guard group behind a test of its guard's first character, or else each of its rules behind a test of its own
    (`AKIA`'s `K` at `A`)."""
    each = (_tested(part, _first_after(rule.pattern[len(anchor) :])) or part for _, part, rule, _ in members)
    return _tested(guard + _either(members), first) or guard + "(?:" + "|".join(each) + ")"


@cache  # the passes of the rules after a rejected candidate's (`_Fallbacks`) ask again
def _first_after(tail: str) -> str | None:
    return first_class([tail])


# At most this many ASCII characters after the anchor let an alternative go on: it is worth a test of that character.
_NARROW = 8
_ASCII = "".join(map(chr, range(128)))
_ALNUM = "".join(filter(str.isalnum, _ASCII))


def _tested(alternative: str, first: str | None) -> str | None:
    """A zero-width `alternative` whose matches need one of a few characters right after the anchor (`first`, a class)
    as a test of that character and then `alternative` evaluated back at the anchor's end (a one-character
    lookbehind); None when the class is unknown or wide. The regex engine tries an alternation's alternatives that
    begin with a character test without entering them (about 10 ns an anchor for each that begins with a lookaround,
    as the others do): a date's `-` skips most of its anchor's branches. A wide class would only add the lookbehind
    where the character passes. A wider class that holds no letter or digit (a block's `[ \t{'"|>\r\n]`) leads as a
    lookahead: one test then rejects the letters and digits that follow most anchors in logs (a clock time's `:`)."""
    if first is None:
        return None
    if len(re.findall(first, _ASCII)) > _NARROW:
        return f"(?={first}){alternative}" if not re.search(first, _ALNUM) else None
    return rf"{first}(?<={alternative}[\s\S])"


class _Fallbacks:
    """For an anchor's pass and one of its rules, the pass of the rules tried after it, compiled when first needed
    (a rejected candidate is rare next to the text scanned; most anchors never need one)."""

    def __init__(self) -> None:
        self._after: dict[tuple[int, int], _Pass | None] = {}

    def after(self, scan_pass: _Pass, rule: Rule) -> _Pass | None:
        key = (id(scan_pass), id(rule))
        if key not in self._after:
            index = next(i for i, part in enumerate(scan_pass.parts) if part[2] is rule)
            rest = scan_pass.parts[index + 1 :]
            self._after[key] = _anchor_pass(rest[0][2].anchor, rest) if rest else None
        return self._after[key]


def matches_at_starts(scan_pass: _Pass, source: str, cased: bytes) -> Iterable[re.Match[str]]:
    """The pass's matches, as `finditer` finds them, tried only where the rule's `starts` say (in an ASCII text):
    `cased` is the text's bytes with case classes, for a rule that is not scanned in digit classes."""
    if scan_pass.prefixed:
        return _matches_prefixed(scan_pass, source)
    return _matches_at(scan_pass, source, source.encode("ascii") if scan_pass.digit_classes else cased)


def _matches_prefixed(scan_pass: _Pass, source: str) -> Iterable[re.Match[str]]:
    """One scan per start, its character and then the pass's regex: the engine skips to that two-character prefix in
    C (a card number after a blank or a `#`), where the pass alone enters the matcher at each digit 2-6. A match at
    the text's start is tried too. When two starts' matches overlap, or a match ends with its start's character (its
    scan skipped a start there), the plain scan decides."""
    match_at = scan_pass.regex.match
    first = match_at(source)
    spans = [first.span()] if first else []
    for char, regex in scan_pass.prefixed:
        for found in regex.finditer(source):
            start, end = found.span(1)
            if start == end or source[end - 1] == char:
                return scan_pass.regex.finditer(source)
            spans.append((start, end))
    spans.sort()
    if any(start < end for (_, end), (start, _) in pairwise(spans)):
        return scan_pass.regex.finditer(source)
    matches = []
    for start, end in spans:
        match = match_at(source, start)
        if match is None or match.end() != end:
            return scan_pass.regex.finditer(source)
        matches.append(match)
    return matches


def _matches_at(scan_pass: _Pass, source: str, cased: bytes) -> Iterator[re.Match[str]]:
    """The pass's matches, as `finditer` finds them, tried only where one of the rule's `starts` is in `cased` (the
    classed text's bytes), and at the text's start."""
    assert scan_pass.starts_finder is not None  # built for every pass with `starts` and no `prefixed`
    offsets = [offset for _, offset in scan_pass.starts]
    found = scan_pass.starts_finder.find_matches_as_indexes(cased, overlapping=True)
    starts = {0, *(at + offsets[i] for i, at, _ in found)}
    end = 0
    match_at = scan_pass.regex.match
    for start in sorted(starts):
        if start >= end:
            match = match_at(source, start)
            if match:
                end = match.end()
                yield match


# Past one occurrence of an anchor in this many characters, the regex engine's own scan (about 0.4 ns a character)
# costs less than a call per occurrence; below, `str.find` (memchr for one character) skips to the next one 10 times
# faster (0.05 against 0.8 ms on 2 MB). For longer literals `str.find` is slower than the engine's prefix search.
_SPARSE = 1024


def _matches_after(scan_pass: _Pass, source: str) -> Iterable[re.Match[str]]:
    """The pass's matches, as `finditer` finds them, tried only at its anchor while the anchor is rare in the text
    read so far; once it is frequent, `finditer` from there (at once when it is frequent in the first part)."""
    if source.count(scan_pass.literal, 0, 32 * _SPARSE) > 32:
        return scan_pass.regex.finditer(source)
    return _matches_found(scan_pass, source)


def _matches_from(regex: re.Pattern[str], source: str, starts: list[int],
                  line_head: re.Pattern[str] | None = None) -> Iterator[re.Match[str]]:
    """The matches `finditer` finds, for a pattern whose matches all begin at one of `starts` (ascending); with the
    rule's `line_head`, less those at a start whose line fails it (the extractor finds nothing there) and after which
    no other start comes on that line (no match of a pattern that stays on its line could take it): on a log's
    `Failed password for ...` lines the debconf rule no longer reads each line to its end to be rejected."""
    end = 0
    last = len(starts) - 1
    for i, start in enumerate(starts):
        if start < end:
            continue
        if line_head is not None and not line_head.fullmatch(source, source.rfind("\n", 0, start) + 1, start):
            line_end = source.find("\n", start)
            if i == last or 0 <= line_end < starts[i + 1]:
                continue
        if match := regex.match(source, start):
            end = match.end()
            yield match


def _matches_found(scan_pass: _Pass, source: str) -> Iterator[re.Match[str]]:
    pos = tried = 0
    literal, regex = scan_pass.literal, scan_pass.regex
    while (at := source.find(literal, pos)) >= 0:
        tried += 1
        if tried * _SPARSE > at + 32 * _SPARSE:
            yield from regex.finditer(source, pos)  # lookbehinds still see the text before `pos`
            return
        match = regex.match(source, at)
        if match:
            pos = match.end()
            yield match
        else:
            pos = at + 1


def _overlaps_itself(literal: str) -> bool:
    """Whether an occurrence of `literal` may begin inside another one (`--` in `---`)."""
    return any(literal.startswith(literal[i:]) for i in range(1, len(literal)))


def _leads(pattern: str, literal: str) -> bool:
    """Whether every match of `pattern` begins with `literal`."""
    return bool(literal) and literal_prefix(pattern).startswith(literal)


def _first_of(anchor: str, rules: list[Rule]) -> str:
    """A guard for rules with none after their anchor: the class of the characters their matches go on with (an
    `A` is followed by `K`, `S`, `B`, `C`, `I` or `A` in every provider key anchored there); "" when unknown."""
    return first_class([rule.pattern[len(anchor) :] for rule in rules]) or ""


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
