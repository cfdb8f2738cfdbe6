"""`faultmaven logs analyze` never surprises: a closed pipe, a trailing newline, … on cut lines, --top/--all (text
and JSON), the entities section, .gz/.zst/.bz2 read transparently (with a decompression limit), Latin-1 is text."""

from __future__ import annotations

import bz2
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from local.cli import main

REPO = Path(__file__).resolve().parents[2]


def _log(lines: int = 3000) -> bytes:
    out = []
    for i in range(lines):
        kind = " ".join(["retry"] * (i % 30 + 1))  # 30 templates: lines of 30 different lengths
        out.append(f"2026-11-25 09:{i // 60 % 60:02d}:{i % 60:02d} ERROR {kind} failed for user=u{i % 4} "
                   f"host=db-{i % 2}.example.com \"GET /api/{i} HTTP/1.1\" {500 + i % 4} from 10.0.{i % 5}.9")
    return ("\n".join(out) + "\n").encode()


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_bytes(_log())
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["logs", "analyze", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_closed_pipe_is_not_an_error(log: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "layers" / "core"), str(REPO)])}
    proc = subprocess.Popen([sys.executable, "-m", "local.cli", "logs", "analyze", str(log), "--all"], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and b"Traceback" not in err and b"BrokenPipe" not in err, err


def test_trailing_newline_and_ellipsis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "long.log"
    path.write_text("2026-11-25 09:00:00 ERROR " + "buffer " * 30 + "size 67108864 exceeded\n")
    code, out, _ = _run(capsys, str(path))
    assert code == 0 and out.endswith("\n")
    example = next(line for line in out.splitlines() if "e.g." in line)
    assert example.endswith("…") and "6710886" not in example  # cut, and visibly so, never a silently short number


def test_top_and_all_in_text_and_json(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, str(log), "--json")
    data = json.loads(out)
    assert data["template_count"] == 30 and len(data["templates"]) == 20  # the default
    _, out, _ = _run(capsys, str(log), "--json", "--top", "3")
    data = json.loads(out)
    assert len(data["templates"]) == 3 and len(data["entities"]["ips"]) == 3
    _, out, _ = _run(capsys, str(log), "--json", "--all")
    data = json.loads(out)
    assert len(data["templates"]) == 30 and len(data["entities"]["ips"]) == 5
    _, out, _ = _run(capsys, str(log), "--top", "2")
    assert "Top templates (2 of 30)" in out
    assert _run(capsys, str(log), "--top", "0")[0] == 2


def test_entities_in_text_and_json(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, str(log))
    assert "Entities:" in out and "Users: u0 (750), u1 (750), u2 (750), u3 (750)" in out
    assert "Hosts: db-0.example.com (1,500), db-1.example.com (1,500)" in out
    assert "IP addresses: 10.0.0.9 (600)" in out and "HTTP statuses: 500 (750)" in out
    data = json.loads(_run(capsys, str(log), "--json")[1])["entities"]
    assert {e["value"] for e in data["http_statuses"]} == {"500", "501", "502", "503"}
    assert data["distinct"] == {"ips": 5, "users": 4, "hosts": 2, "http_statuses": 4}


@pytest.mark.parametrize("suffix,pack", [(".gz", gzip.compress), (".bz2", bz2.compress),
                                         (".zst", lambda d: zstandard.ZstdCompressor().compress(d))])
def test_compressed_logs_read_like_the_plain_file(log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  suffix: str, pack: object) -> None:
    packed = tmp_path / f"app.log.1{suffix}"
    packed.write_bytes(pack(log.read_bytes()))
    plain = json.loads(_run(capsys, str(log), "--json")[1])
    code, out, _ = _run(capsys, str(packed), "--json")
    unpacked = json.loads(out)
    assert code == 0 and unpacked["filename"] == "app.log" and unpacked["kind"] == "log"
    assert unpacked["line_count"] == plain["line_count"] and unpacked["templates"] == plain["templates"]


def test_a_decompression_bomb_stops_at_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FM_MAX_DECOMPRESSED_BYTES", str(1024 * 1024))
    bomb = tmp_path / "bomb.log.gz"
    bomb.write_bytes(gzip.compress(b"A" * (8 * 1024 * 1024)))
    code, out, err = _run(capsys, str(bomb))
    assert code == 2 and out == "" and "unpacks to more than the 1.0 MB limit" in err


def test_latin1_lines_are_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "legacy.log"
    path.write_bytes(b"2026-11-25 09:00:00 INFO started\n2026-11-25 09:00:01 ERROR caf\xe9 au lait \x80 5\n")
    data = json.loads(_run(capsys, str(path), "--json")[1])
    assert data["kind"] == "log" and not data["binary_like"]
    assert any("café au lait € 5" in t["example"] for t in data["templates"])
