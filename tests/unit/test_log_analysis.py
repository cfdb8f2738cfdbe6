"""analyze_text / analyze_file: grouping, severities, error times, timeline bursts, structure, odd input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from faultmaven.logs import LogAnalysis, analyze_file, analyze_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"


def _log(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


UUIDS = ["5f0c8a8e-0b1e-4d52-9d8f-2a1b3c4d5e6f", "0e9b7c6d-1111-4a2b-8c3d-abcdefabcdef",
         "deadbeef-0000-4000-8000-000000000001"]


def test_variable_fields_group_into_one_template() -> None:
    lines = [
        f"2024-01-01T00:00:{i:02d}Z INFO worker: job {uid} for 10.0.{i}.7 took {i * 11}ms (0x{i:04x}) blk_{i * 977}"
        for i, uid in enumerate(UUIDS)
    ] + ["2024-01-01T00:01:00Z INFO worker: cache warmed"]
    a = analyze_text(_log(lines), per_line=True)
    assert a.kind == "log"
    assert a.template_count == 2
    assert a.line_templates is not None
    assert len(set(a.line_templates[:3])) == 1 and a.line_templates[3] != a.line_templates[0]
    job = next(t for t in a.templates if t.count == 3)
    assert job.template == "job <*> for <*> took <*> (<*>) blk_<*>"  # 12ms: a duration
    assert job.example == lines[0]


def test_severity_counts_error_times_and_error_templates_first() -> None:
    a = analyze_file(FIXTURES / "mixed_formats.log")
    # the two stack-trace lines inherit the ERROR above them
    assert a.severity_counts == {"info": 3, "error": 4, "warning": 1}
    assert a.first_timestamp == "2024-03-01T10:00:00.100Z"
    assert a.last_timestamp == "2024-03-01T10:00:05.600Z"
    assert a.first_error_at == "2024-03-01T10:00:03.400Z"
    assert a.last_error_at == "2024-03-01T10:00:04.500Z"
    assert a.templates[0].level == "error"
    assert a.templates[0].template == "Connection to <*> refused after <*> retries"
    assert a.templates[0].count == 2
    assert "error lines" in a.summary and "Connection to <*> refused" in a.summary


def test_levels_are_guessed_from_words_when_the_header_has_none() -> None:
    a = analyze_text(_log([
        "Jan 10 10:00:00 host app[1]: connection refused by upstream",
        "Jan 10 10:00:01 host app[1]: retrying in 5 seconds",
        "Jan 10 10:00:02 host app[1]: all good",
    ]))
    assert a.severity_counts == {"error": 1, "warning": 1, "unknown": 1}
    assert a.inferred_levels == 2


def test_timeline_flags_a_burst_of_errors() -> None:
    lines = [f"2024-06-01 10:{m:02d}:00 INFO app: heartbeat {m}" for m in range(30)]
    lines += [f"2024-06-01 10:15:{s:02d} ERROR app: upstream timeout after {s} s" for s in range(40)]
    a = analyze_text(_log(lines))
    assert a.timeline is not None
    assert sum(b.count for b in a.timeline.buckets) == 70
    assert len(a.timeline.bursts) == 1
    burst = a.timeline.bursts[0]
    assert burst.error_count == 40
    assert burst.start <= "2024-06-01T10:15:00Z" < burst.end
    assert "burst" in a.summary


def test_per_line_mapping_has_one_id_per_input_line() -> None:
    text = "a 1\n\nb 2\r\na 3\nlast line without newline"
    a = analyze_text(text, per_line=True)
    assert a.line_count == 5
    assert a.line_templates is not None and len(a.line_templates) == 5
    assert a.line_templates[1] == 0  # blank
    assert a.line_templates[0] == a.line_templates[3]
    assert analyze_text(text).line_templates is None


def test_yaml_config_gets_its_keys() -> None:
    text = "server:\n  port: 8080\n  tls:\n    enabled: true\ndatabase:\n  url: postgres://db/app\n"
    a = analyze_text(text, filename="app.yaml")
    assert a.kind == "config"
    assert a.structure is not None
    assert a.structure.keys == ["server", "server.port", "server.tls", "server.tls.enabled", "database",
                                "database.url"]
    assert "server.tls.enabled" in a.summary


def test_ini_config_is_sniffed_without_an_extension() -> None:
    a = analyze_text("[main]\nworkers = 4\n; comment\n[log]\nlevel = debug\n")
    assert a.kind == "config"
    assert a.structure is not None and a.structure.keys == ["main", "main.workers", "log", "log.level"]


def test_csv_gets_columns_and_row_count() -> None:
    text = "ts,host,cpu\n2024-01-01,a,0.5\n2024-01-01,b,0.7\n2024-01-02,a,0.9\n"
    a = analyze_text(text, filename="metrics.csv")
    assert a.kind == "csv"
    assert a.structure is not None
    assert a.structure.columns == ["ts", "host", "cpu"]
    assert a.structure.row_count == 3
    assert "3 data rows" in a.summary


def test_json_document_gets_its_keys_and_json_lines_are_a_log() -> None:
    doc = analyze_text(json.dumps({"service": {"name": "api", "replicas": 3}, "env": ["a"]}))
    assert doc.kind == "json"
    assert doc.structure is not None and doc.structure.keys == ["service", "service.name", "service.replicas", "env"]
    lines = analyze_text(_log([
        json.dumps({"time": "2024-01-01T00:00:00Z", "level": "error", "msg": f"payment {i} declined"})
        for i in range(3)
    ]))
    assert lines.kind == "log"
    assert lines.severity_counts == {"error": 3}
    assert lines.template_count == 1


def test_invalid_json_with_a_json_name_is_reported_not_raised() -> None:
    a = analyze_text("{not json", filename="x.json")
    assert a.kind == "json" and a.structure is not None and a.structure.note is not None


@pytest.mark.parametrize(
    "text",
    ["", "\n\n\n", "\x00\x01\x02\x03" * 500, "\ufffd" * 100 + "\n", "x" * 100_000, "{" * 5000, "[" * 300,
     "[" * 100_000 + "]" * 100_000, ('{"a":' * 50_000 + "1" + "}" * 50_000 + "\n") * 2],
)
def test_odd_input_never_raises(text: str) -> None:
    a = analyze_text(text, per_line=True)
    assert isinstance(a, LogAnalysis)
    assert a.line_templates is not None and len(a.line_templates) == a.line_count
    assert a.summary
    json.dumps(a.model_dump())


def test_empty_and_binary_input() -> None:
    assert analyze_text("").summary == "Empty file."
    assert analyze_text("").line_count == 0
    binary = analyze_text("\x00\x01\x02\x03\x04 ELF \x05\x06" * 200)
    assert binary.binary_like
    assert "binary" in binary.summary


def test_file_with_invalid_utf8_and_an_overlong_line(tmp_path: Path) -> None:
    path = tmp_path / "weird.log"
    path.write_bytes(b"2024-01-01 00:00:00 ERROR a: bad \xff\xfe byte\n" + b"y" * 200_000 + b"\nend\n")
    a = analyze_file(path, per_line=True)
    assert a.line_count == 3
    assert a.severity_counts["error"] == 1
    assert a.templates[0].example.startswith("2024-01-01 00:00:00 ERROR a: bad")
    assert all(len(t.example) <= 300 for t in a.templates)


def test_text_and_file_paths_agree(tmp_path: Path) -> None:
    path = tmp_path / "mixed_formats.log"
    shutil.copy(FIXTURES / "mixed_formats.log", path)
    from_file = analyze_file(path, per_line=True)
    from_text = analyze_text(path.read_text(), filename="mixed_formats.log", per_line=True)
    assert from_file.model_dump() == from_text.model_dump()
