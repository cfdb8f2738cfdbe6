"""`faultmaven logs analyze`: readable report, JSON, per-line ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "logs" / "mixed_formats.log"


def test_report_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "analyze", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "mixed_formats.log: log, 8 lines" in out
    assert "Connection to <*> refused after <*> retries" in out
    assert "Timeline" in out


def test_json_with_per_line_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "analyze", str(FIXTURE), "--json", "--per-line"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["line_count"] == 8
    assert len(data["line_templates"]) == 8
    assert data["line_templates"][0] == data["line_templates"][1]


def test_json_without_per_line_has_no_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "analyze", str(FIXTURE), "--json"]) == 0
    assert "line_templates" not in json.loads(capsys.readouterr().out)


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "analyze", str(tmp_path / "nope.log")]) == 2
    assert "no such file" in capsys.readouterr().err
