"""Robustness corpus: one small file per format users upload (tests/fixtures/log_formats), written from each
format's public documentation. Each must read as a log with the right first timestamp, levels and header split.

Not a dev set: no rule was fitted to these files, and they carry no template labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faultmaven.logs import analyze_file
from faultmaven.logs.header import HeaderParser
from faultmaven.logs.levels import level_of_token
from faultmaven.logs.timestamps import TIME_TOKEN

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "log_formats"

# file: (first timestamp, or its "-MM-DDThh:mm:ss" tail for formats without a year; levels that must be seen;
#        lines without a time of their own)
EXPECTED: dict[str, tuple[str | None, set[str], int]] = {
    "syslog_rfc3164.log": ("-10-11T22:14:15Z", {"critical", "notice", "error"}, 0),
    "syslog_rfc5424.log": ("2003-10-11T20:14:17.003Z", {"notice", "critical", "info"}, 0),
    "journald_short_iso.log": ("2024-05-01T10:00:00Z", {"error"}, 0),
    "journald_json.log": ("2024-05-01T10:00:00Z", {"info", "error", "warning"}, 0),
    "apache_error.log": ("2000-10-11T14:32:52.123Z", {"error", "notice", "warning"}, 0),
    "apache_access.log": ("2000-10-10T20:55:36Z", {"info", "warning", "error"}, 0),
    "nginx_error.log": ("2024-05-01T10:00:00Z", {"error", "warning", "notice"}, 0),
    "nginx_access.log": ("2024-05-01T10:00:00Z", {"info", "warning", "error"}, 0),
    "log4j.log": ("2024-05-01T10:00:00.123Z", {"info", "warning", "error"}, 3),
    "logback.log": ("2024-05-01T10:00:00.123Z", {"info", "debug", "error", "warning"}, 1),
    "python_logging.log": ("2024-05-01T10:00:00.123Z", {"info", "error", "warning"}, 2),
    "go_klog.log": ("-05-01T10:00:00.123Z", {"info", "warning", "error", "critical"}, 0),
    "kubelet_containerd.log": (None, {"info", "error"}, 0),
    "postgresql.log": ("2024-05-01T10:00:00.123Z", {"info", "error", "critical", "warning"}, 0),
    "mysql.log": ("2024-05-01T10:00:00.123Z", {"info", "warning", "error"}, 0),
    "redis.log": ("2024-05-01T10:00:00.123Z", {"warning"}, 0),
    "etcd.log": ("2024-05-01T10:00:00.123Z", {"info", "warning", "error"}, 0),
    "windows_cbs.log": ("2024-05-01T10:00:00Z", {"info", "error", "warning"}, 0),
    "android_logcat.log": ("-05-01T10:00:00.123Z", {"debug", "info", "error", "warning"}, 0),
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in FORMATS.glob("*.log")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_format_reads_as_a_log(name: str) -> None:
    first, levels, untimed = EXPECTED[name]
    path = FORMATS / name
    analysis = analyze_file(path)
    assert analysis.kind == "log"
    if first is not None:
        assert analysis.first_timestamp is not None and analysis.first_timestamp.endswith(first), name
    assert levels <= set(analysis.severity_counts), analysis.severity_counts

    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    parser = HeaderParser(default_year=2024)
    stamped = sum(parser.timestamp(parser.parse(ln)) is not None for ln in lines)
    assert stamped == len(lines) - untimed, name

    for template in analysis.templates:  # the header's time never leads a template, nor a bracketed level
        head = template.template.split()[0]
        assert not TIME_TOKEN.fullmatch(head), template.template
        assert head[0].isalnum() or level_of_token(head) is None, template.template
