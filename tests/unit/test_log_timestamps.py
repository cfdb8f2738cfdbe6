"""Every timestamp form the analyzer promises, and a timeline / error window built from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from faultmaven import clock
from faultmaven.logs import analyze_text
from faultmaven.logs.header import HeaderParser


def _epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


FORMS = [
    # (form, line, expected instant; year-less forms are read with default_year=2020)
    ("ISO 8601 UTC", "2024-05-01T10:00:00Z INFO ready", _epoch(2024, 5, 1, 10)),
    ("ISO 8601 +02:00", "2024-05-01T10:00:00.5+02:00 INFO ready", _epoch(2024, 5, 1, 8) + 0.5),
    ("ISO 8601 -0700", "2024-05-01T10:00:00-0700 INFO ready", _epoch(2024, 5, 1, 17)),
    ("ISO with space and comma ms", "2024-05-01 10:00:00,250 INFO ready", _epoch(2024, 5, 1, 10) + 0.25),
    ("bracketed ISO", "[2024-05-01 10:00:00] ERROR down", _epoch(2024, 5, 1, 10)),
    ("bracketed ctime", "[Sun Dec 04 04:47:44 2005] [error] down", _epoch(2005, 12, 4, 4, 47, 44)),
    ("bracketed month.day", "[10.30 16:49:06] chrome.exe - open through proxy", _epoch(2020, 10, 30, 16, 49, 6)),
    ("month-day with ms (logcat)", "03-17 16:13:38.811  1702  2395 E Tag: boom",
     _epoch(2020, 3, 17, 16, 13, 38) + 0.811),
    ("leading host name", "web-1 2024-05-01T10:00:00Z ERROR down", _epoch(2024, 5, 1, 10)),
    ("leading file name", "app.log:2024-05-01 10:00:00 ERROR down", _epoch(2024, 5, 1, 10)),
    ("syslog", "Mar  3 14:02:07 web-7 sshd[4121]: Accepted", _epoch(2020, 3, 3, 14, 2, 7)),
    ("compact yymmdd hhmmss", "081109 203615 148 INFO dfs.DataNode: ok", _epoch(2008, 11, 9, 20, 36, 15)),
    ("compact yyyymmddThhmmss", "20240501T100000 INFO ready", _epoch(2024, 5, 1, 10)),
    ("epoch seconds", "1714557600 INFO ready", _epoch(2024, 5, 1, 10)),
    ("epoch milliseconds", "1714557600123 INFO ready", _epoch(2024, 5, 1, 10) + 0.123),
    ("epoch with fraction", "1714557600.25 INFO ready", _epoch(2024, 5, 1, 10) + 0.25),
    ("access log", '1.2.3.4 - - [10/Oct/2023:13:55:36 -0700] "GET / HTTP/1.1" 200 5', _epoch(2023, 10, 10, 20, 55, 36)),
    ("klog", "E0501 10:00:00.250000    1 server.go:42] down", _epoch(2020, 5, 1, 10) + 0.25),
    ("JSON epoch ms", '{"time": 1714557600123, "level": "error", "msg": "down"}', _epoch(2024, 5, 1, 10) + 0.123),
    ("logfmt ISO", "ts=2024-05-01T12:00:00+02:00 level=error msg=down", _epoch(2024, 5, 1, 10)),
    ("slash date", "2024/05/01 10:00:00 [error] 7#7: down", _epoch(2024, 5, 1, 10)),
    ("day month year", "01 May 2024 10:00:00 ERROR down", _epoch(2024, 5, 1, 10)),
]


@pytest.mark.parametrize(("form", "line", "expected"), FORMS, ids=[f[0] for f in FORMS])
def test_timestamp_form(form: str, line: str, expected: float) -> None:
    parser = HeaderParser(default_year=2020)
    parsed = parser.parse(line)
    assert parser.timestamp(parsed) == pytest.approx(expected, abs=1e-3), form


STAMPERS: dict[str, Callable[[datetime], str]] = {
    "ISO 8601 UTC": lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    "ISO 8601 +05:30": lambda d: d.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat(),
    "bracketed ctime": lambda d: d.strftime("[%a %b %d %H:%M:%S %Y]"),
    "bracketed month.day": lambda d: d.strftime("[%m.%d %H:%M:%S]"),
    "leading host name": lambda d: "web-1 " + d.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3],
    "syslog": lambda d: d.strftime("%b %d %H:%M:%S") + " web-1 app[12]:",
    "compact": lambda d: d.strftime("%y%m%d %H%M%S") + " 77",
    "epoch seconds": lambda d: str(int(d.timestamp())),
    "epoch milliseconds": lambda d: str(int(d.timestamp() * 1000)),
}


@pytest.mark.parametrize("form", list(STAMPERS))
def test_timeline_and_error_window(form: str) -> None:
    """Ten lines a minute apart in one form; lines 4 to 6 are errors: the window and the timeline must say so."""
    stamp = STAMPERS[form]
    base = (clock.now().astimezone(UTC) - timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    moments = [base + timedelta(minutes=i) for i in range(10)]
    lines = [f"{stamp(m)} {'ERROR disk failed' if 4 <= i <= 6 else 'INFO all good'} on /dev/sda{i}"
             for i, m in enumerate(moments)]
    analysis = analyze_text("\n".join(lines))
    iso = [m.isoformat().replace("+00:00", "Z") for m in moments]
    assert (analysis.first_timestamp, analysis.last_timestamp) == (iso[0], iso[9]), form
    assert (analysis.first_error_at, analysis.last_error_at) == (iso[4], iso[6]), form
    assert analysis.timeline is not None
    assert sum(b.count for b in analysis.timeline.buckets) == 10
    assert sum(b.error_count for b in analysis.timeline.buckets) == 3
    assert analysis.template_count == 2  # the stamps never split templates
