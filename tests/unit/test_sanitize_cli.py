"""`faultmaven sanitize`: line for line on stdout, counts on stderr."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from local.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sanitize"


def _run(capsysbinary: pytest.CaptureFixture[bytes], argv: list[str]) -> tuple[int, bytes, str]:
    code = main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


@pytest.mark.parametrize("name", ["sample.log", "crlf.bin"])
def test_line_for_line(capsysbinary: pytest.CaptureFixture[bytes], name: str) -> None:
    source = (FIXTURES / name).read_bytes()
    code, out, _ = _run(capsysbinary, ["sanitize", str(FIXTURES / name)])
    assert code == 0
    before, after = source.splitlines(keepends=True), out.splitlines(keepends=True)
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        if i not in changed:
            assert a == b
        else:
            assert b"{{REDACTED:" in b and a.endswith(b"\n") == b.endswith(b"\n")
    assert changed


def test_sample_log_redactions_and_summary(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, err = _run(capsysbinary, ["sanitize", str(FIXTURES / "sample.log")])
    assert code == 0
    text = out.decode()
    for value in ("Xk9pL2mQ7vR4", "jane.doe@example.com", "198.51.99.23", "4111 1111 1111 1111", "wJalrXUtnFEMI"):
        assert value not in text
    for kept in ("0.0.0.0:8080", "3f2b9c1e-8a4d-4c6b-9e2f-1a2b3c4d5e6f", "9fceb02d0ae598e95dc970b74767f19372d61af8"):
        assert kept in text
    assert err.strip() == ("sanitize: 5 redacted: aws_secret_key=1 card_number=1 email=1 ip_address=1 password=1")
    assert "Xk9pL2mQ7vR4" not in err


def test_stdin(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"ok\npassword=hunter22\n")))
    code, out, err = _run(capsysbinary, ["sanitize", "-"])
    assert (code, out) == (0, b"ok\npassword={{REDACTED:password}}\n")
    assert "password=1" in err


def test_missing_file(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    code, out, err = _run(capsysbinary, ["sanitize", str(tmp_path / "nope.log")])
    assert code == 2 and out == b"" and "no such file" in err
