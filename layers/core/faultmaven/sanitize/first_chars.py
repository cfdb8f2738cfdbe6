"""The characters a regex's match can begin (or end) with, read from the pattern's parse tree.

The scanner puts this class in front of anchored rules that have no guard after their anchor: at an `A` followed by a
lower-case letter (most of them in logs) the provider-key rules anchored there are then rejected by one test. It reads
the parse tree of CPython's own `re` (`re._parser`, stable since 3.11); anything it does not know gives no class, so
the guard is only ever left out, never wrong.
"""

from __future__ import annotations

import re
from re import _constants as sre  # the parser's opcodes
from re import _parser as sre_parse
from typing import Any

_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_SPACE: r"\s"}
_FLAGS_THAT_WIDEN = re.IGNORECASE | re.ASCII | re.LOCALE
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def first_class(patterns: list[str]) -> str | None:
    """A character class (`[...]`) holding the first character every match of any of `patterns` consumes; None when
    a match may consume nothing, may begin with any character, or a pattern uses what is not read here (case folding,
    negated classes, back references)."""
    return _edge_class(patterns, last=False)


def last_class(patterns: list[str]) -> str | None:
    """As `first_class`, for the last character every match consumes (the one right before an anchor that a rule's
    `before` pattern tests)."""
    return _edge_class(patterns, last=True)


def _edge_class(patterns: list[str], last: bool) -> str | None:
    found: set[str] = set()
    for pattern in patterns:
        try:
            parsed = sre_parse.parse(pattern)
        except re.error:
            return None
        if parsed.state.flags & _FLAGS_THAT_WIDEN:
            return None
        items, nullable = _first(parsed, last)
        if items is None or nullable:
            return None
        found |= items
    return "[" + "".join(sorted(found)) + "]" if found else None


def literal_prefix(pattern: str) -> str:
    """The text every match of `pattern` begins with ("" when none, or unknown): its leading literal characters, read
    through groups and zero-width assertions, up to the first alternation, repeat or class."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return ""
    if parsed.state.flags & _FLAGS_THAT_WIDEN:
        return ""
    return _prefix(parsed)[0]


def _prefix(sequence: Any) -> tuple[str, bool]:
    """The leading literal text of `sequence`, and whether that is all it consumes."""
    out = ""
    for op, av in sequence:
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
            continue
        if op is sre.LITERAL:
            out += chr(av)
            continue
        if op is sre.SUBPATTERN and not av[1] & _FLAGS_THAT_WIDEN:
            inner, whole = _prefix(av[3])
            out += inner
            if whole:
                continue
        return out, False
    return out, True


def _first(sequence: Any, last: bool = False) -> tuple[set[str] | None, bool]:
    """The class items the first (or `last`) consumed character of `sequence` may match, and whether it may consume
    nothing."""
    found: set[str] = set()
    for op, av in reversed(sequence) if last else sequence:
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):  # zero width: the next item consumes the first character
            continue
        if op is sre.LITERAL:
            return found | {re.escape(chr(av))}, False
        if op is sre.IN:
            items = _class_items(av)
            return (None if items is None else found | items), False
        if op is sre.SUBPATTERN:
            _, add_flags, _, inner_sequence = av
            if add_flags & _FLAGS_THAT_WIDEN:
                return None, False
            inner, nullable = _first(inner_sequence, last)
        elif op is sre.ATOMIC_GROUP:
            inner, nullable = _first(av, last)
        elif op is sre.BRANCH:
            inner, nullable = set(), False
            for alternative in av[1]:
                items, empty = _first(alternative, last)
                if items is None:
                    return None, False
                inner |= items
                nullable |= empty
        elif op in _REPEATS:
            low, _, inner_sequence = av
            inner, nullable = _first(inner_sequence, last)
            nullable = nullable or low == 0
        else:  # any character, a negated literal, a back reference, a conditional
            return None, False
        if inner is None:
            return None, False
        found |= inner
        if not nullable:
            return found, False
    return found, True


def _class_items(items: Any) -> set[str] | None:
    out = set()
    for op, av in items:
        if op is sre.LITERAL:
            out.add(re.escape(chr(av)))
        elif op is sre.RANGE:
            out.add(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is sre.CATEGORY and av in _CATEGORIES:
            out.add(_CATEGORIES[av])
        else:  # a negated class or category
            return None
    return out
