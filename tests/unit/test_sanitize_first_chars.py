"""The first-character class read from a pattern, and the guards the scanner derives from it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from faultmaven.sanitize import engine
from faultmaven.sanitize.engine import Scanner
from faultmaven.sanitize.first_chars import first_class, last_class, literal_prefix
from faultmaven.sanitize.formats import FORMAT_RULES
from faultmaven.sanitize.rules import BUILTIN_RULES, Options

RULES = (*BUILTIN_RULES, *FORMAT_RULES)
FORMATS = json.loads((Path(__file__).parent.parent / "fixtures" / "sanitize" / "formats.json").read_text())["cases"]


@pytest.mark.parametrize(("patterns", "expected"), [
    ([r"(?<![A-Za-z0-9]A)(?:KIA|SIA)[A-Z0-9]{16}"], "[KS]"),
    ([r"(?=us\d)us\d{1,2}", r"a?b"], "[abu]"),
    ([r"[ \t]*x", r"\d+"], r"[\	\ \dx]"),
    ([r"(?:x|)y"], "[xy]"),
])
def test_first_class_of_patterns(patterns: list[str], expected: str) -> None:
    assert first_class(patterns) == expected


@pytest.mark.parametrize(("patterns", "expected"), [
    ([r"[9Gs]", r"(?=[0c][1a])(?:[0v]1|sa)"], "[19Gas]"),
    ([r"(?<![\w.])[2-9]\d\d"], r"[\d]"),
    ([r"(?:EY)"], "[Y]"),
])
def test_last_class_of_patterns(patterns: list[str], expected: str) -> None:
    assert last_class(patterns) == expected


@pytest.mark.parametrize("pattern", [r"a*", r"(?=x)", r"[^a]b", r".b", r"(?i:k)x", r"(?i)k", r"(a)?\1b", r"(?a:\w)",
                                     r"(?:a|)"])
def test_no_class_when_a_match_may_begin_anywhere_or_with_nothing(pattern: str) -> None:
    assert first_class([pattern]) is None


@pytest.mark.parametrize(("pattern", "prefix"), [
    ("abc|xyz", ""), ("ab*", "a"), ("ab?c", "a"), (r"--(?<![\w-]--)x", "--x"), (r"\$ANSIBLE", "$ANSIBLE"),
    (r"(?P<c>2(?<![\w.]2)[02]{3})", "2"), ("(?i)abc", ""), ("(?i:a)bc", ""), ("(unclosed", ""),
])
def test_literal_prefix(pattern: str, prefix: str) -> None:
    assert literal_prefix(pattern) == prefix


def test_first_class_holds_every_match_start() -> None:
    """On each anchored rule's examples, the character after the anchor of every match is in the derived class."""
    checked = 0
    for rule in RULES:
        guard = first_class([rule.pattern[len(rule.anchor) :]]) if rule.anchor else None
        if guard is None:
            continue
        for text, _ in rule.examples:
            for match in re.finditer(rule.pattern, text):
                checked += 1
                assert re.match(guard, text[match.start() + 1 :]), (rule.label, text)
    assert checked, "some rule has a derived class and examples"


def test_derived_guards_keep_every_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [*(text for rule in RULES for text, _ in rule.examples),
             *(text for rule in RULES for text in rule.negatives), *(case["text"] for case in FORMATS)]
    guarded = Scanner(RULES, Options())
    monkeypatch.setattr(engine, "first_class", lambda patterns: None)
    plain = Scanner(RULES, Options())
    assert [p.regex.pattern for p in guarded._passes] != [p.regex.pattern for p in plain._passes]
    for text in (*texts, "\n".join(texts)):
        assert guarded.scan(text) == plain.scan(text), text
