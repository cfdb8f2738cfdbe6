"""The redaction benchmark's value-level scoring: a value left on a line that another change touched is a leak."""

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "redaction_benchmark", Path(__file__).resolve().parents[2] / "benchmarks" / "redaction.py")
redaction = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(redaction)

TEXT = "user=admin\nconnect(host, 'Hunter2-pw', token='tok-123456')\nhost=db1"
CASE = redaction.Labelled("cls", "a case", TEXT, [frozenset([2])], ("Hunter2-pw", "tok-123456"))


def test_a_value_left_on_a_found_line_counts_as_leaked_and_is_listed() -> None:
    prediction = ([2], [], [0])  # line 2 changed (the token went), the password is still there
    assert redaction.score_values([CASE], [prediction]) == {"cls": (1, 2)}
    assert redaction.hidden_leaks([CASE], [prediction]) == ["a case:2"]


def test_every_value_gone_counts_each_and_lists_nothing() -> None:
    assert redaction.score_values([CASE], [([2], [], [])]) == {"cls": (2, 2)}
    assert redaction.hidden_leaks([CASE], [([2], [], [])]) == []


def test_a_missed_line_is_a_plain_miss_not_a_hidden_leak() -> None:
    assert redaction.hidden_leaks([CASE], [([], [], [0, 1])]) == []


def test_sources_labelled_by_line_only_have_no_value_figure() -> None:
    by_line = redaction.Labelled("other", "a file", TEXT, [frozenset([2])])
    assert redaction.score_values([by_line], [([], [], [])]) == {}


def test_a_pem_block_holding_a_listed_line_is_one_secret_with_its_markers() -> None:
    text = "name: deploy\n-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----\npassword: Hunter2-pw"
    assert redaction.value_units(text, ["AAAA", "BBBB", "Hunter2-pw"]) == [frozenset({2, 3, 4, 5}), frozenset({6})]


def test_a_pem_block_on_one_escaped_line_stays_that_line() -> None:
    text = '{"key": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"}\n-----END X-----'
    assert redaction.value_units(text, ["AAAA"]) == [frozenset({1})]
