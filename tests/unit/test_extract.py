"""Text extraction per accepted type, and the upload checks that answer 4xx before anything is stored."""

from __future__ import annotations

import json

import pytest

from faultmaven.errors import InvalidInput, UnsupportedMedia
from faultmaven.knowledge.extract import check_upload, extract_text, kb_format


def make_pdf(lines: list[str], title: str | None = None) -> bytes:
    """A minimal, valid one-page PDF whose page shows `lines` (Helvetica), with an optional Title in its Info."""
    text_ops = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {text_ops} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title or ''}) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    info = b" /Info 6 0 R" if title else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref)
    return bytes(out)


@pytest.mark.parametrize(("name", "data", "expected", "fmt"), [
    ("runbook.md", b"# Disk full\n\n## Fix\nRotate the logs.\n", "Rotate the logs.", "markdown"),
    ("notes.txt", "Caf\u00e9 timeout notes".encode(), "Caf\u00e9 timeout notes", "text"),
    ("app.log", b"2024-01-01 ERROR connection refused\n", "connection refused", "log"),
    ("cfg.json", json.dumps({"retry": {"max": 3}}).encode(), '"max": 3', "json"),
    ("hosts.csv", b"host,role\nweb1,frontend\n", "web1,frontend", "csv"),
    ("deploy.yaml", b"replicas: 3\nimage: nginx\n", "image: nginx", "yaml"),
    ("deploy.yml", b"replicas: 3\n", "replicas: 3", "yaml"),
    ("bom.txt", b"\xef\xbb\xbfwith a byte order mark", "with a byte order mark", "text"),
])
def test_text_types_keep_their_text_and_format(name: str, data: bytes, expected: str, fmt: str) -> None:
    check_upload(name, data)
    extracted = extract_text(name, data)
    assert expected in extracted.text
    assert extracted.fmt == fmt
    assert not extracted.text.startswith("\ufeff")


def test_html_is_stripped_to_text_with_headings_and_title() -> None:
    page = (b"<html><head><title>DNS runbook</title><style>p{color:red}</style></head><body>"
            b"<h2>Diagnosis</h2><p>Run <b>dig</b> against the resolver.</p><script>alert(1)</script></body></html>")
    extracted = extract_text("dns.html", page)
    assert extracted.title == "DNS runbook"
    assert extracted.fmt == "markdown"
    assert "## Diagnosis" in extracted.text
    assert "Run dig against the resolver." in extracted.text
    assert "<" not in extracted.text and "alert" not in extracted.text and "color" not in extracted.text


def test_pdf_text_and_title_are_extracted() -> None:
    data = make_pdf(["Kafka consumer lag runbook", "Check the partition leaders"], title="Kafka lag")
    assert check_upload("lag.pdf", data) == "pdf"
    extracted = extract_text("lag.pdf", data)
    assert "Kafka consumer lag runbook" in extracted.text
    assert "partition leaders" in extracted.text
    assert extracted.title == "Kafka lag"


def test_a_pdf_without_text_fails_extraction_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="no extractable text"):
        extract_text("scan.pdf", make_pdf([]))


def test_a_broken_pdf_fails_extraction_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="PDF"):
        extract_text("broken.pdf", b"%PDF-1.4\nthis is not really a pdf")


@pytest.mark.parametrize(("name", "data", "error", "code"), [
    ("tool.exe", b"MZ\x90\x00", UnsupportedMedia, "UNSUPPORTED_FILE_TYPE"),
    ("noext", b"hello", UnsupportedMedia, "UNSUPPORTED_FILE_TYPE"),
    ("empty.md", b"  \n ", InvalidInput, "EMPTY_FILE"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", UnsupportedMedia, "BINARY_CONTENT"),
    ("fake.pdf", b"just text pretending", UnsupportedMedia, "NOT_A_PDF"),
])
def test_uploads_that_can_never_be_ingested_are_refused(name: str, data: bytes, error: type, code: str) -> None:
    with pytest.raises(error) as caught:
        check_upload(name, data)
    assert caught.value.code == code


def test_extension_matching_ignores_case() -> None:
    assert kb_format("README.MD") == "markdown"
    assert kb_format("page.HTM") == "html"


def test_markdown_front_matter_is_taken_out_and_kept_as_fields() -> None:
    doc = (b"---\ntitle: Disk pressure runbook\nowner: sre-team\ntags: [k8s, disk]\n---\n"
           b"# Disk pressure\n\nNodes evict pods.\n")
    extracted = extract_text("runbook.md", doc)
    assert extracted.front_matter == {"title": "Disk pressure runbook", "owner": "sre-team", "tags": "[k8s, disk]"}
    assert extracted.title == "Disk pressure runbook"
    assert "owner" not in extracted.text and extracted.text.startswith("# Disk pressure")
    plain = extract_text("notes.md", b"# Notes\n\n---\n\nA rule, not front matter.\n")
    assert plain.front_matter == {} and "A rule" in plain.text


def test_inline_html_is_reduced_to_its_text_outside_code() -> None:
    doc = (b"# Mitigation\n\n<!-- internal: ask #sre-oncall -->\n<details>\n<summary>Restart the pod</summary>\n\n"
           b"Run the command &amp; wait.<br/>\n</details>\n\n```html\n<div class=\"keep\">shown</div>\n```\n")
    text = extract_text("runbook.md", doc).text
    assert "<details>" not in text and "<summary>" not in text and "<br/>" not in text and "internal" not in text
    assert "Restart the pod" in text and "Run the command & wait." in text
    assert '<div class="keep">shown</div>' in text  # code keeps its markup


def test_pdf_page_and_text_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from pypdf import PdfWriter

    from faultmaven.knowledge import extract

    writer = PdfWriter()
    for _ in range(5):
        writer.add_blank_page(72, 72)
    many = io.BytesIO()
    writer.write(many)
    monkeypatch.setattr(extract, "MAX_PDF_PAGES", 3)
    with pytest.raises(InvalidInput) as refused:
        extract_text("big.pdf", many.getvalue())
    assert refused.value.code == "PDF_TOO_MANY_PAGES"
    monkeypatch.setattr(extract, "MAX_EXTRACTED_CHARS", 12)
    text = extract_text("lag.pdf", make_pdf(["Kafka consumer lag runbook", "Check the partition leaders"])).text
    assert text == "Kafka consum"
