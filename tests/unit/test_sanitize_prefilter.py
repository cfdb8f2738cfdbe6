"""The scanner's prefilters skip work, never findings: derived from the rules, they must agree with a plain search on
every rule's own examples and negatives and on the per-format cases."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import string
import sys
from pathlib import Path

import pytest

from faultmaven.sanitize import engine, keys
from faultmaven.sanitize.engine import Scanner
from faultmaven.sanitize.formats import FORMAT_RULES
from faultmaven.sanitize.rules import BUILTIN_RULES, Options, Rule

RULES = (*BUILTIN_RULES, *FORMAT_RULES)
FORMATS = json.loads((Path(__file__).parent.parent / "fixtures" / "sanitize" / "formats.json").read_text())["cases"]
TEXTS = [
    *(text for rule in RULES for text, _ in rule.examples),
    *(text for rule in RULES for text in rule.negatives),
    *(case["text"] for case in FORMATS),
]
SCANNER = Scanner(RULES, Options())


def test_literal_scan_finds_the_literals_a_plain_search_finds() -> None:
    literals = SCANNER._literals
    assert len(literals.literals) > 20, "every multi-character literal of the passes is in the automaton"
    for text in (*TEXTS, "\n".join(TEXTS)):
        found = literals.found(text)
        assert set(found) == {literal for literal in literals.literals if literal in text}, text
        for literal, starts in found.items():  # every occurrence, overlapping ones too, in order
            assert starts == [i for i in range(len(text)) if text.startswith(literal, i)], (literal, text)


def test_passes_that_lead_with_their_literal_match_at_its_places_as_finditer_does() -> None:
    text = "\n".join(TEXTS)
    found = SCANNER._literals.found(text)
    leading = [p for p in SCANNER._passes if p.leads and engine._prefiltered(p) and p.literal in found]
    assert len(leading) > 10
    for scan_pass in leading:
        fast = [(m.span(), m.groups()) for m in engine._matches_from(scan_pass.regex, text, found[scan_pass.literal])]
        assert fast == [(m.span(), m.groups()) for m in scan_pass.regex.finditer(text)], scan_pass.literal


def test_literal_scan_finds_overlapping_and_nested_literals() -> None:
    literals = engine._Literals(["password", "K 8\npassword", "--", "-password", "word"])
    assert literals.found("K 8\npassword") == {"K 8\npassword": [0], "password": [4], "word": [8]}
    assert literals.found("x --password y") == {"--": [2], "-password": [3], "password": [4], "word": [8]}
    assert literals.found("nothing here") == {}


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.starts], ids=lambda rule: rule.label)
def test_matches_begin_only_where_the_rules_starts_say(rule: Rule) -> None:
    alone = Scanner([rule], Options())
    (scan_pass,) = alone._passes
    classes = engine._DIGIT_CLASSES if rule.digit_classes else {}
    examples = [text.translate(classes) for text, _ in rule.examples]
    texts = [*examples, *(text.translate(classes) for text in (*rule.negatives, *TEXTS))]
    for text in (*texts, "\n".join(texts), " ".join(texts)):
        if not text.isascii():
            continue
        cased = text.encode("ascii").translate(engine._CASE_CLASSES)
        fast = [(m.span(), m.groups()) for m in engine.matches_at_starts(scan_pass, text, cased)]
        assert fast == [(m.span(), m.groups()) for m in scan_pass.regex.finditer(text)], text
    assert any(scan_pass.regex.search(text) for text in examples), "the examples exercise the rule"


def test_prefixed_starts_leave_overlapping_numbers_to_the_plain_scan() -> None:
    """Card numbers run together (`#4242 4242 ...` with one start inside another's match): the same matches."""
    (scan_pass,) = Scanner([rule for rule in RULES if rule.label == "card_number"], Options())._passes
    assert scan_pass.prefixed, "the card rule's starts are one character and then its literal"
    for text in ("#4242 4242 4242 4242 4242 4242 4242 4242", "4242 4242 4242 4242 4242 #4242 4242 4242 4242",
                 " 4111 1111 1111 1111 x " * 300, "=4012 8888 8888 1881 4012 8888 8888 1881 " * 200):
        source = text.translate(engine._DIGIT_CLASSES)
        fast = [(m.span(), m.groups()) for m in engine.matches_at_starts(scan_pass, source, b"")]
        assert fast == [(m.span(), m.groups()) for m in scan_pass.regex.finditer(source)], text


def test_long_text_scan_equals_the_plain_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join(TEXTS)
    assert len(text) >= engine._LONG
    with_prefilters = SCANNER.scan(text)
    monkeypatch.setattr(engine, "_LONG", len(text) + 1)  # every literal searched for, every pass run in full
    assert SCANNER.scan(text) == with_prefilters
    assert with_prefilters, "the joined examples hold findings"


def _addresses() -> list[str]:
    octets = ("0", "1", "8", "10", "15", "16", "31", "32", "52", "110", "127", "168", "169", "172", "192", "255", "300")
    heads = ("0", "00", "10", "110", "127", "172", "192", "8", "52", "255", "300", "010")
    return [f"{a}.{b}.{c}.{d}" for a in heads for b in octets for c, d in (("0", "1"), ("1", "300"), ("20", "7"))]


@pytest.mark.parametrize("options", [Options(), Options(redact_private_ips=True)], ids=["public", "private"])
def test_rejected_candidates_are_only_those_the_extractors_reject(options: Options) -> None:
    """A rule's `rejected` pattern saves calls, never findings: without it the scan finds the same."""
    assert any(rule.rejected for rule in RULES), "some rule skips candidates its extractor rejects"
    contexts = ("{}", "from {} port 22", "x{}", "1{}", ".{}", "_{}", "version {}", "ip={}:80", "/{}:50010", "{}.5",
                "\u0663{}", "{}x", "a {} b {} c")
    texts = [context.format(address, address) for address in _addresses() for context in contexts]
    plain = Scanner([dataclasses.replace(rule, rejected=None) for rule in RULES], options)
    scanner = Scanner(RULES, options)
    for text in (*texts[:400], "\n".join(texts)):
        assert [f for f, _ in scanner.scan(text)] == [f for f, _ in plain.scan(text)], text


def test_line_heads_skip_only_candidates_the_extractors_reject() -> None:
    """A rule's `line_head` saves matches, never findings: without it the long-text scan finds the same, a candidate
    followed by another on its line (whose match could take the later one) and a last line without a break included."""
    assert any(rule.line_head for rule in RULES), "some rule tests its line's head"
    lines = ["Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user web from 173.234.31.186 port 38926",
             "d-i passwd/root-password password R00t-Pres33d", "echo password x/password password S3cr3t-Val9",
             "foo password bar password Zq8-Lm2Vx", 'echo "a b/c password Kq7-Zp2Vw9" | debconf-set-selections',
             "mysql-server mysql-server/root_password password Deb-Myq1Pw   ",
             "Dec 10 07:08:30 LabSZ sshd[24208]: Invalid user web from 173.234.31.186", "user default on >R3disA9",
             "  user app on >Ap9-Rd2Kq ~* +@all", "auth for user bob user default on >Zx7-Pq2Lm ~*"]
    headed = [rule for rule in RULES if rule.line_head]
    scanners = [(SCANNER, Scanner([dataclasses.replace(rule, line_head=None) for rule in RULES], Options())),
                *((Scanner([rule], Options()), Scanner([dataclasses.replace(rule, line_head=None)], Options()))
                  for rule in headed)]
    for tail in ("", "\nfoo password bar password Hq2-Lm9Vx", "\necho password x/password password Tz4-Kq8Rw",
                 "\nlogin user bob user app on >Pq7-Lm2Zx"):
        # (ASCII: a long text's candidates are read from its bytes.)
        text = "\n".join([*filter(str.isascii, TEXTS), *lines] + lines * 40) + tail
        assert len(text) >= engine._LONG and text.isascii()
        for scanner, plain in scanners:
            assert [f for f, _ in scanner.scan(text)] == [f for f, _ in plain.scan(text)], tail
            assert scanner.scan(text), "the lines hold findings"


def test_rare_anchors_found_by_search_give_the_matches_finditer_gives() -> None:
    """A pass tried only where `str.find` finds its anchor, then by the engine's own scan once the anchor is frequent,
    yields what `finditer` yields, on text where anchors are rare, then dense, then rare again."""
    dense = "".join(f"k{i}: 10.0.{i % 256}.1 - x=y @ A_S! >+}} | ~ ( $ 52.14.1.{i % 256}\n" for i in range(2000))
    joined = "\n".join(TEXTS)
    passes = [scan_pass for scan_pass in SCANNER._passes if scan_pass.leads]
    assert passes, "one-character anchors lead their passes"
    for text in (joined, joined + dense + joined):
        for scan_pass in passes:
            fast = [(m.span(), m.groups()) for m in engine._matches_after(scan_pass, text)]
            assert fast == [(m.span(), m.groups()) for m in scan_pass.regex.finditer(text)], scan_pass.literal


def test_a_rule_that_rejects_its_candidate_leaves_the_anchor_to_the_rules_after_it() -> None:
    """Two rules at one anchor: where the first matches but its validator says no, the second is tried at the same
    place; where the first finds its value, the second is not consulted."""
    digits = Rule("pin", r"=(?=(?P<v>\d+))", anchor="=", validate=lambda value: len(value) == 4)
    anything = Rule("word", r"=(?=(?P<v>\w+))", anchor="=")
    scanner = Scanner([digits, anything], Options())
    assert [(f, rule.label) for f, rule in scanner.scan("a=1234 b=123456 c=xyz")] == [
        ((2, 6, "pin"), "pin"), ((9, 15, "word"), "word"), ((18, 21, "word"), "word")]
    assert [rule.label for _, rule in Scanner([digits], Options()).scan("b=123456")] == []


def test_letter_classes_match_what_a_caseless_letter_matches() -> None:
    """`(?i:k)` becomes a class: the same characters, the Kelvin sign among them (every character one of whose case
    mappings holds an ASCII letter is tried)."""
    letters = set(string.ascii_letters)
    candidates = [chr(code) for code in range(sys.maxunicode + 1)
                  if letters.intersection(chr(code).lower() + chr(code).upper() + chr(code).casefold())]
    for letter in string.ascii_letters:
        caseless, as_class = re.compile(f"(?i:{letter})"), re.compile(engine._letter_classes(f"(?i:{letter})"))
        assert as_class.pattern.startswith("["), letter
        assert [c for c in candidates if caseless.fullmatch(c)] == [c for c in candidates if as_class.fullmatch(c)]


def test_the_shared_colon_guard_passes_wherever_one_of_its_rules_matches() -> None:
    """A guard only skips: at every `:` where the pattern of a rule given `COLON_VALUE_GUARD` matches, in the texts of
    the tests and in random strings of the characters the alternatives read, the guard passes."""
    members = [re.compile(rule.pattern) for rule in RULES if rule.after == keys.COLON_VALUE_GUARD]
    assert len(members) >= 5
    guard = re.compile(":(?=" + keys.COLON_VALUE_GUARD + ")")
    pieces = [*"0123456789abcdefABCDEFxyz:::    \t\n\r\"'\\{|>=./+_-*#;,@", "\n  ", "::=", "'''", '"""', "5432"]
    rng = random.Random(7)
    randoms = ["".join(rng.choice(pieces) for _ in range(rng.randint(3, 40)))
               + rng.choice(["", ":" + "".join(rng.choice("ABCDEFabcdef0123456789+/_-.") for _ in range(22))])
               for _ in range(30000)]
    matched = 0
    for text in (*TEXTS, *randoms):
        for at in (m.start() for m in re.finditer(":", text) if any(p.match(text, m.start()) for p in members)):
            matched += 1
            assert guard.match(text, at), (text, at)
    assert matched > 1000
