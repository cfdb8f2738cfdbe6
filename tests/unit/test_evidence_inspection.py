"""Evidence domain: filenames, content sniffing, the allow-list, classification and structural summaries."""

from __future__ import annotations

import codecs
import gzip
import io
import struct
import zipfile

import pytest

from faultmaven.errors import InvalidInput, TooLarge, UnsupportedMedia
from faultmaven.evidence.classification import by_content, by_extension
from faultmaven.evidence.inspection import inspect, read_limited
from faultmaven.evidence.naming import blob_key, content_disposition, sanitize_filename, size_display
from faultmaven.evidence.sniffing import sniff
from faultmaven.evidence.summaries import code_summary, image_summary, pdf_summary
from faultmaven.settings import DEFAULT_ALLOWED_EXTENSIONS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 640, 480) + b"\x08\x02\x00\x00\x00" + b"\0" * 16
LIMIT = 64 * 1024


def check(name: str, data: bytes):
    return inspect(name, data, max_bytes=LIMIT, allowed_extensions=DEFAULT_ALLOWED_EXTENSIONS)


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inner.log", b"\0" * (10 * 1024 * 1024))
    return buf.getvalue()


@pytest.mark.parametrize(("raw", "clean"), [
    ("app.log", "app.log"), ("../../etc/passwd.log", "passwd.log"), ("..\\..\\windows\\evil.log", "evil.log"),
    ("/abs/path/x.txt", "x.txt"), ("..hidden.log", "hidden.log"), ("we\x00ird\x1f.log", "weird.log"),
    ('quote"s<>.log', "quotes.log"), ("résumé.txt", "résumé.txt"),
])
def test_filenames_are_reduced_to_a_display_name(raw: str, clean: str) -> None:
    assert sanitize_filename(raw) == clean


@pytest.mark.parametrize("raw", ["", "../", "..", "/", "\\..\\", None, "\x00\x01"])
def test_unusable_filenames_are_refused(raw: str | None) -> None:
    with pytest.raises(InvalidInput):
        sanitize_filename(raw)


def test_long_filenames_keep_their_extension() -> None:
    name = sanitize_filename("a" * 500 + ".log")
    assert len(name) <= 200 and name.endswith(".log")


def test_blob_keys_accept_only_safe_ids() -> None:
    assert blob_key("usr_1", "case_2", "file_3") == "usr_1/case_2/file_3"
    for bad in ("../x", "a/b", "", "a b"):
        with pytest.raises(InvalidInput):
            blob_key("usr_1", bad, "file_3")


def test_content_disposition_has_ascii_fallback_and_utf8_name() -> None:
    header = content_disposition('résumé "x".txt')
    assert header.startswith('attachment; filename="rsum _x_.txt"')
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.txt" in header


def test_size_display() -> None:
    assert [size_display(n) for n in (0, 1023, 2048, 10 * 1024 * 1024)] == ["0 B", "1023 B", "2.0 KB", "10.0 MB"]


@pytest.mark.parametrize(("data", "what"), [
    (zip_bomb(), "ZIP"), (gzip.compress(b"x" * 1000), "gzip"), (b"\x7fELF\x02\x01\x01" + b"\0" * 64, "ELF"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 64, "Windows executable"), (b"BZh91AY&SY" + b"\0" * 20, "bzip2"),
    (b"\xfd7zXZ\x00\x00" + b"\0" * 20, "xz"), (b"\0" * 257 + b"ustar\x0000" + b"\0" * 100, "tar"),
])
def test_archives_and_executables_are_refused_by_their_bytes(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedMedia) as err:
        check("innocent.log", data)
    assert err.value.code == "ARCHIVE_OR_EXECUTABLE" and what in err.value.detail


def test_binary_in_a_text_type_is_refused() -> None:
    with pytest.raises(UnsupportedMedia) as err:
        check("data.txt", bytes(range(256)) * 4)
    assert err.value.code == "BINARY_CONTENT"


def test_latin1_and_windows_1252_bytes_are_text() -> None:
    found = check("app.log", "2024-01-01 ok ✓\n".encode() + b"caf\xe9 \x93quoted\x94 5 \x80\n")
    assert found.kind == "text" and found.text == "2024-01-01 ok ✓\ncafé “quoted” 5 €\n"
    assert "windows-1252" in found.mime


def test_utf16_with_bom_and_utf8_bom_are_text() -> None:
    found = sniff(codecs.BOM_UTF16_LE + "ERROR disk full\r\n".encode("utf-16-le"))
    assert found.kind == "text" and found.text == "ERROR disk full\r\n" and "utf-16" in found.mime
    assert sniff(codecs.BOM_UTF8 + b"hello\n").text == "hello\n"


def test_ansi_colour_codes_are_still_text() -> None:
    assert sniff(b"\x1b[31mERROR\x1b[0m failed\n" * 50).kind == "text"


def test_empty_and_oversized_are_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        check("app.log", b"")
    assert err.value.code == "EMPTY_FILE"
    with pytest.raises(TooLarge) as too_big:
        check("app.log", b"x" * (LIMIT + 1))
    assert too_big.value.status == 413 and "maxFileBytes=65536" in too_big.value.detail


def test_extension_allow_list() -> None:
    for name in ("tool.exe", "archive.zip", "noextension"):
        with pytest.raises(UnsupportedMedia) as err:
            check(name, b"hello\n")
        assert err.value.code == "EXTENSION_NOT_ALLOWED"
    with pytest.raises(UnsupportedMedia) as err:  # .gz is allowed, but only for gzip content (unpacked before)
        check("x.log.gz", b"hello\n")
    assert err.value.code == "CONTENT_MISMATCH"


def test_the_content_decides_not_the_name() -> None:
    with pytest.raises(UnsupportedMedia) as err:
        check("screenshot.png", b"just text pretending\n")
    assert err.value.code == "CONTENT_MISMATCH"
    with pytest.raises(UnsupportedMedia) as err:
        check("app.log", PNG)
    assert err.value.code == "CONTENT_MISMATCH"
    with pytest.raises(UnsupportedMedia):
        check("photo.jpg", PNG)
    with pytest.raises(UnsupportedMedia):
        check("doc.pdf", b"not a pdf\n")
    assert check("shot.png", PNG).mime == "image/png"
    assert check("doc.pdf", b"%PDF-1.7\n1 0 obj << /Type /Page >>\n").kind == "pdf"


def test_read_limited_stops_one_chunk_past_the_limit() -> None:
    class Endless(io.RawIOBase):
        reads = 0

        def read(self, n: int = -1) -> bytes:
            self.reads += 1
            return b"x" * n

    stream = Endless()
    with pytest.raises(TooLarge):
        read_limited(stream, 3 * 1024 * 1024)
    assert stream.reads == 4
    assert read_limited(io.BytesIO(b"abc"), 10) == b"abc"


@pytest.mark.parametrize(("name", "expected"), [
    ("app.log", "logs"), ("values.yaml", "configuration"), ("main.tf", "configuration"), ("job.py", "code"),
    ("notes.md", "text"), ("notes.txt", None), ("data.csv", None), ("x.json", None),
])
def test_extension_classification(name: str, expected: str | None) -> None:
    assert by_extension("." + name.rsplit(".", 1)[1], sniff(b"hello\n")) == expected


def test_content_classification() -> None:
    metrics_csv = "timestamp,cpu,mem\n" + "".join(f"2024-01-01T00:0{i}:00Z,{i}.5,{i * 10}\n" for i in range(6))
    assert by_content("csv", metrics_csv) == "metrics"
    assert by_content("csv", "name,team\nalice,sre\nbob,dev\ncarol,ops\n") == "text"
    prom = "# TYPE http_requests counter\nhttp_requests{code=\"200\"} 10\nhttp_requests{code=\"500\"} 3\n"
    assert by_content("text", prom) == "metrics"
    assert by_content("log", "") == "logs"
    assert by_content("config", "") == by_content("json", "") == "configuration"
    assert by_content("text", "Dear team,\nthe service is down.\n") == "text"
    assert by_extension(".png", sniff(PNG)) == "image"


def test_structural_summaries() -> None:
    code = code_summary(".py", "import os\n\ndef handler(event):\n    pass\n\nclass Retry:\n    pass\n")
    assert code["definitions"] == ["handler", "Retry"] and code["language"] == "Python"
    image = image_summary(PNG, "image/png")
    assert (image["width"], image["height"]) == (640, 480) and "640x480" in image["summary"]
    assert pdf_summary(b"%PDF-1.4 /Type /Pages /Type /Page /Type /Page")["page_count"] == 2
