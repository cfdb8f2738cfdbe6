"""Property tests: the log analyzer never crashes or hangs, whatever a user uploads.

Each example must finish within hypothesis' deadline (a hang guard, not a speed test: a regular expression that
backtracks catastrophically takes seconds to minutes on these inputs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from faultmaven.logs import analyze_file, analyze_text
from faultmaven.logs.header import HeaderParser

FUZZ = settings(max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.too_slow])

METACHARACTERS = list("()[]{}<>.*+?^$|\\/:-=\"',;#@%&~`!")
HEADERISH = [
    "2024-05-01", "10:00:00,250", "2024-05-01T10:00:00.5Z", "[Sun", "Dec", "04", "04:47:44", "2005]", "[10.30",
    "16:49:06]", "Mar", "3", "1117838570", "081109", "203615", "INFO", "WARN", "[error]", "<crit>", "level=debug",
    "E", "D", "I0517", "sshd[4121]:", "org.example.Queue:", "-", "|", "[main]", "[", "]", "web-7", "chrome.exe",
    "((", "))", "[[", "]]", "(?P<x>", "\\", "{", "}", "{\"msg\":", "msg=", "ts=1", "=", "\x00", "\u2028", "\ufffd",
]
token = st.one_of(
    st.sampled_from(HEADERISH),
    st.text(alphabet=st.sampled_from(METACHARACTERS), min_size=1, max_size=6),
    st.text(min_size=1, max_size=12).filter(lambda t: not t.isspace()),
    st.from_regex(r"[0-9]{1,14}", fullmatch=True),
)
header_line = st.lists(token, min_size=1, max_size=20).map(" ".join)


def _check(text: str) -> None:
    analysis = analyze_text(text, per_line=True)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    assert analysis.line_templates is not None
    assert len(analysis.line_templates) == len(lines)
    assert analysis.summary


@FUZZ
@given(st.lists(header_line, min_size=1, max_size=30))
def test_header_like_lines_with_metacharacters_everywhere(lines: list[str]) -> None:
    # Each line three times or more, so the parser learns a fast layout from it (where the crash used to be).
    _check("\n".join(line for line in lines for _ in range(4)))


@FUZZ
@given(st.lists(header_line, min_size=1, max_size=10))
def test_a_learned_layout_splits_like_the_token_scan(lines: list[str]) -> None:
    trained = HeaderParser(default_year=2024)
    for line in lines:
        for _ in range(3):
            trained.parse(line)
    for line in lines:
        fresh = HeaderParser(default_year=2024)
        a, b = trained.parse(line), fresh.parse(line)
        # Whitespace inside the message may differ (the scan rejoins tokens); the masker splits on it anyway.
        assert (a.content.split(), a.level, trained.timestamp(a)) == (b.content.split(), b.level, fresh.timestamp(b))


@FUZZ
@given(st.text(max_size=3000))
def test_any_text(text: str) -> None:
    _check(text)


@FUZZ
@given(st.binary(max_size=4000), st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_random_bytes_as_an_uploaded_file(tmp_path_factory: pytest.TempPathFactory, data: bytes, encoding: str) -> None:
    path = Path(tmp_path_factory.mktemp("fuzz")) / "upload.log"
    path.write_bytes(data)
    analysis = analyze_file(path, per_line=True)
    assert analysis.line_templates is not None
    _check(data.decode(encoding, errors="replace"))


@FUZZ
@given(st.lists(header_line, min_size=1, max_size=20), st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1))
def test_mixed_line_endings(lines: list[str], endings: list[str]) -> None:
    text = "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))
    analysis = analyze_text(text)
    assert analysis.line_count >= 1


@FUZZ
@given(header_line, st.integers(min_value=5_000, max_value=200_000))
@example(prefix="a=b msg=", length=200_000)  # was quadratic: the logfmt key scan restarted inside digit runs
@example(prefix='{"msg": "', length=200_000)
@example(prefix="<13>1", length=200_000)
def test_very_long_lines(prefix: str, length: int) -> None:
    body = ("a(b[c" * (length // 5 + 1))[:length]
    _check(f"{prefix} {body}\n{prefix} {'9' * length}\n{'(' * length}\n")


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                    max_leaves=20))
def test_json_lines_of_any_shape(value: object) -> None:
    import json

    line = json.dumps(value)
    _check("\n".join([line, "2024-05-01 10:00:00 INFO plain text among json", line, line]))


def test_many_identical_lines() -> None:
    line = "2024-05-01 10:00:00,250 ERROR [main] org.example.Queue: queue (depth 812) [above] limit *?\n"
    analysis = analyze_text(line * 100_000)
    assert analysis.line_count == 100_000 and analysis.template_count == 1
    assert analysis.severity_counts == {"error": 100_000}


@pytest.mark.slow
def test_a_million_identical_lines(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n" * 1_000_000)
    analysis = analyze_file(path)
    assert analysis.line_count == 1_000_000 and analysis.template_count == 1
