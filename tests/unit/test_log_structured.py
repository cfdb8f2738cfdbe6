"""Structured logs: JSON lines and logfmt are read by field; templates come from the message; mixed files work."""

from __future__ import annotations

import json

from faultmaven.logs import analyze_text


def test_json_lines_by_field() -> None:
    records = [
        {"@timestamp": f"2024-05-01T10:00:0{i}Z", "level": "error" if i % 2 else "info",
         "message": f"payment {1000 + i} declined for user u{i}", "service": "pay", "trace": {"id": f"t{i}"}}
        for i in range(6)
    ]
    a = analyze_text("\n".join(json.dumps(r) for r in records), filename="app.jsonl", per_line=True)
    assert a.kind == "log" and a.structured_lines == 6
    assert a.severity_counts == {"info": 3, "error": 3}
    assert (a.first_timestamp, a.last_timestamp) == ("2024-05-01T10:00:00Z", "2024-05-01T10:00:05Z")
    assert a.first_error_at == "2024-05-01T10:00:01Z"
    assert a.attributes == {"service": 6, "trace": 6}
    assert a.template_count == 1
    assert a.templates[0].template == "payment <*> declined for user u<*>"


def test_numeric_levels_and_epoch_times_of_pino_style_records() -> None:
    lines = [json.dumps({"level": 50, "time": 1714557600123 + i, "pid": 7, "msg": "db connection lost"})
             for i in range(3)]
    a = analyze_text("\n".join(lines))
    assert a.severity_counts == {"error": 3}
    assert a.first_timestamp == "2024-05-01T10:00:00.123Z"


def test_logfmt_by_field_with_and_without_a_message() -> None:
    lines = [
        'ts=2024-05-01T10:00:00Z level=warn msg="slow query" duration=2.5s db=main',
        'ts=2024-05-01T10:00:01Z level=warn msg="slow query" duration=7s db=main',
        "time=2024-05-01T10:00:02Z lvl=info method=GET path=/api/items/7 status=200",
        "time=2024-05-01T10:00:03Z lvl=info method=GET path=/api/items/9 status=200",
    ]
    a = analyze_text("\n".join(lines), per_line=True)
    assert a.structured_lines == 4
    assert a.severity_counts == {"warning": 2, "info": 2}
    assert a.attributes["duration"] == 2 and a.attributes["status"] == 2  # `status=200` is no level
    assert a.line_templates is not None
    assert a.line_templates[0] == a.line_templates[1] and a.line_templates[2] == a.line_templates[3]
    assert {t.template for t in a.templates} == {"slow query", "method=GET path=<*> status=<*>"}


def test_mixed_file_json_among_text() -> None:
    lines = [
        "2024-05-01 10:00:00,000 INFO [main] app.Server: started on port 8080",
        '{"time": "2024-05-01T10:00:01Z", "level": "ERROR", "msg": "request 17 failed"}',
        "2024-05-01 10:00:02,000 INFO [main] app.Server: started on port 8081",
        "level=error ts=2024-05-01T10:00:03Z msg=\"request 18 failed\"",
        "not json {at all",
    ]
    a = analyze_text("\n".join(lines), per_line=True)
    assert a.kind == "log" and a.structured_lines == 2
    assert a.severity_counts["error"] == 2 and a.severity_counts["info"] == 2
    assert a.last_error_at == "2024-05-01T10:00:03Z"
    ids = a.line_templates
    assert ids is not None and ids[0] == ids[2] and ids[1] == ids[3] and ids[4] not in ids[:4]
