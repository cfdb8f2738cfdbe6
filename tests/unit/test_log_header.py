"""Generic header detection: timestamps, levels and message boundaries on made-up lines of common formats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from faultmaven.logs.header import HeaderParser
from faultmaven.logs.timestamps import TimestampParser


def _epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


CASES = [
    # (line, message, level, timestamp)
    ("Mar  3 14:02:07 web-7 sshd[4121]: Accepted publickey for deploy from 10.1.2.3 port 50122 ssh2",
     "Accepted publickey for deploy from 10.1.2.3 port 50122 ssh2", None, _epoch(2020, 3, 3, 14, 2, 7)),
    ("2024-05-01T10:00:00.250Z ERROR payment-api: charge failed for order 991",
     "charge failed for order 991", "error", _epoch(2024, 5, 1, 10, 0, 0) + 0.25),
    ("2024-05-01 10:00:00,250 WARN [worker-3] org.example.Queue: queue depth 812 above limit",
     "queue depth 812 above limit", "warning", _epoch(2024, 5, 1, 10, 0, 0) + 0.25),
    ("2024-05-01 12:00:00,000 - INFO  [Listener:9000:Node$Worker@88] - Received connection from /10.0.0.2:4000",
     "Received connection from /10.0.0.2:4000", "info", _epoch(2024, 5, 1, 12, 0, 0)),
    ('203.0.113.9 - - [10/Oct/2023:13:55:36 -0700] "GET /api/items?id=7 HTTP/1.1" 503 212 "-" "curl/8.0"',
     '"GET /api/items?id=7 HTTP/1.1" 503 212 "-" "curl/8.0"', "error", _epoch(2023, 10, 10, 20, 55, 36)),
    ('203.0.113.9 - - [10/Oct/2023:13:55:37 +0000] "POST /login HTTP/1.1" 404 0 "-" "x"',
     '"POST /login HTTP/1.1" 404 0 "-" "x"', "warning", _epoch(2023, 10, 10, 13, 55, 37)),
    ('{"ts": "2024-02-02T08:30:00+01:00", "level": "error", "msg": "disk /dev/sda1 full"}',
     "disk /dev/sda1 full", "error", _epoch(2024, 2, 2, 7, 30, 0)),
    ("time=2024-02-02T08:30:00Z level=warn msg=\"slow query\" duration=2.5s",
     "slow query", "warning", _epoch(2024, 2, 2, 8, 30, 0)),
    ("[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
     "mod_jk child workerEnv in error state 6", "error", _epoch(2005, 12, 4, 4, 47, 44)),
    ("24/01/15 09:10:11 INFO storage.BlockManager: Removed block rdd_3_1",
     "Removed block rdd_3_1", "info", _epoch(2024, 1, 15, 9, 10, 11)),
    ("990101 235959 77 FATAL fs.Store: volume lost", "volume lost", "critical", _epoch(1999, 1, 1, 23, 59, 59)),
    ("WARNING:app.db:pool exhausted, waiting", "pool exhausted, waiting", "warning", None),
    ("just a sentence without any header", "just a sentence without any header", None, None),
]


@pytest.mark.parametrize(("line", "message", "level", "timestamp"), CASES)
def test_header_split_level_and_time(line: str, message: str, level: str | None, timestamp: float | None) -> None:
    parser = HeaderParser(default_year=2020)
    parsed = parser.parse(line)
    assert parsed.content == message
    assert parsed.level == level
    got = parser.timestamp(parsed)
    assert got == pytest.approx(timestamp) if timestamp is not None else got is None


def test_learned_layout_splits_like_the_token_scan() -> None:
    """After a few lines a file's header layout becomes one regex; it must split exactly as the scan does."""
    lines = [
        f"2024-05-01 10:00:0{i},000 INFO [main] org.example.Svc: request {i} served in {i * 3} ms" for i in range(8)
    ] + [
        "2024-05-01 10:00:09,000 INFO [main] org.example.Svc: - dash first",
        "2024-05-01 10:00:09,500 ERROR [main] org.example.Svc: [worker-2] failed",
        "2024-05-01 10:00:10,000 info lower-case level is prose",
    ]
    warmed = HeaderParser(default_year=2024)
    results = [(warmed.parse(line), warmed) for line in lines]
    for line, (got, parser) in zip(lines, results, strict=True):
        fresh = HeaderParser(default_year=2024)
        cold = fresh.parse(line)
        assert (got.content.split(), got.level, parser.timestamp(got)) == (
            cold.content.split(), cold.level, fresh.timestamp(cold))


def test_year_less_stamps_are_never_in_the_future() -> None:
    now = datetime.now(UTC)
    parsed = TimestampParser(default_year=now.year).parse("Dec 31 23:59:59")
    assert parsed is not None and parsed <= now.timestamp() + 2 * 86400


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "[unclosed bracket and words", "ERROR", "::::"])
def test_odd_lines_do_not_raise(text: str) -> None:
    HeaderParser(default_year=2024).parse(text)
