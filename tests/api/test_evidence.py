"""Evidence routes over both adapter families (SQLite + files, DynamoDB + S3 on moto): upload, list, details,
download, delete, evidence views, dedupe, ownership, and every kind of bad input leaving nothing half-written."""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
from collections.abc import Callable, Iterator

import pytest
import zstandard
from fastapi.testclient import TestClient

from faultmaven.container import Container
from tests.conftest import SignedIn, sign_up

LIMIT = 64 * 1024
LOG = (b"2024-05-01 10:00:00 INFO service started\n"
       b"2024-05-01 10:00:05 ERROR connection to db-1 timed out after 30s\n"
       b"2024-05-01 10:00:09 ERROR connection to db-2 timed out after 30s\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x08\x08\x02\x00\x00\x00" + b"\0" * 32


@pytest.fixture
def env(any_container: Container) -> Container:
    """Either container with a 64 KiB upload limit (the cloud flavour's bucket comes with `aws_container`)."""
    any_container.settings.max_file_bytes = LIMIT
    any_container.settings.max_decompressed_bytes = 4 * LIMIT
    return any_container


@pytest.fixture
def api(env: Container, any_client: TestClient) -> TestClient:
    return any_client


@pytest.fixture
def user(api: TestClient) -> SignedIn:
    return sign_up(api, "alice")


@pytest.fixture
def case_id(env: Container, user: SignedIn) -> str:
    return env.case_service.create(user.user_id, title="db timeouts").case_id


def files_url(case_id: str) -> str:
    return f"/api/v1/cases/{case_id}/uploaded-files"


def upload(api: TestClient, user: SignedIn, case_id: str, name: str, data: bytes,
           content_type: str = "text/plain", **fields: str):
    return api.post(files_url(case_id), headers=user.headers, files={"file": (name, data, content_type)},
                    data=fields)


def stored(env: Container, user: SignedIn, case_id: str) -> tuple[list[str], int]:
    """(every blob key in the store, the case's metadata records), to prove nothing half-written was left."""
    if env.embedded:
        root = env.settings.data_dir / "blobs"
        keys = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()] if root.exists() else []
    else:
        listing = env.blobs.client.list_objects_v2(Bucket=env.settings.evidence_bucket)
        keys = [o["Key"] for o in listing.get("Contents", [])]
    return sorted(keys), len(env.evidence_files.list_for_case(user.user_id, case_id))


def test_upload_list_details_download_delete(api: TestClient, env: Container, user: SignedIn, case_id: str) -> None:
    r = upload(api, user, case_id, "app.log", LOG, turn_number="2")
    assert r.status_code == 201, r.text
    body = r.json()
    file_id = body["file_id"]
    assert body["source_type"] == "logs" and body["upload_source"] == "file_upload"
    assert body["uploaded_at_turn"] == 2 and body["size_bytes"] == len(LOG) and body["duplicate_of"] is None
    assert body["analysis_status"] == "completed" and "error" in body["summary"].lower()
    assert body["analysis"]["severity_counts"]["error"] == 2
    assert body["evidence_count"] == 1 and body["derived_evidence"][0]["source_type"] == "LOGS"
    assert stored(env, user, case_id) == ([f"{user.user_id}/{case_id}/{file_id}"], 1)

    listing = api.get(files_url(case_id), headers=user.headers).json()
    assert listing["total_count"] == 1 and listing["limit"] == 50 and listing["offset"] == 0
    item = listing["files"][0]
    assert {item["file_id"], item["filename"], item["source_type"], item["data_type"]} == {
        file_id, "app.log", "file_upload", "logs"}
    assert item["size_display"] == f"{len(LOG)} B" and item["analysis_status"] == "completed"

    details = api.get(f"{files_url(case_id)}/{file_id}", headers=user.headers).json()
    assert details["content_hash"] and details["analysis"]["templates"]

    content = api.get(f"{files_url(case_id)}/{file_id}/content", headers=user.headers, follow_redirects=False)
    if env.embedded:
        assert content.status_code == 200 and content.content == LOG
        assert content.headers["content-type"] == "text/plain; charset=utf-8"
        assert content.headers["content-disposition"].startswith('attachment; filename="app.log"')
        assert content.headers["x-content-type-options"] == "nosniff"
    else:
        assert content.status_code == 307
        location = content.headers["location"]
        assert f"/{user.user_id}/{case_id}/{file_id}" in location and "X-Amz-Signature" in location
        import requests

        assert requests.get(location, timeout=10).content == LOG

    evidence = api.get(f"/api/v1/cases/{case_id}/evidence", headers=user.headers).json()
    assert evidence["case_id"] == case_id and evidence["total_count"] == 1
    ev = evidence["evidence"][0]
    assert ev["source_file"] == {"file_id": file_id, "filename": "app.log", "uploaded_at_turn": 2,
                                 "investigation_turn": None}
    assert ev["collected_at_turn"] == 2 and ev["collected_by"] == user.user_id and ev["analysis"]
    one = api.get(f"/api/v1/cases/{case_id}/evidence/{ev['evidence_id']}", headers=user.headers)
    assert one.status_code == 200 and one.json()["evidence_id"] == ev["evidence_id"]
    assert api.get(f"/api/v1/cases/{case_id}/evidence/ev_nope", headers=user.headers).status_code == 404

    assert api.delete(f"{files_url(case_id)}/{file_id}", headers=user.headers).status_code == 204
    assert stored(env, user, case_id) == ([], 0)
    assert api.get(f"{files_url(case_id)}/{file_id}", headers=user.headers).status_code == 404
    assert api.delete(f"{files_url(case_id)}/{file_id}", headers=user.headers).status_code == 404
    assert api.get(f"/api/v1/cases/{case_id}/evidence", headers=user.headers).json()["total_count"] == 0


def test_duplicate_content_is_reported_not_stored(api: TestClient, env: Container, user: SignedIn,
                                                   case_id: str) -> None:
    first = upload(api, user, case_id, "app.log", LOG, turn_number="1").json()
    again = upload(api, user, case_id, "renamed.log", LOG, turn_number="4")
    assert again.status_code == 200
    assert again.json()["duplicate_of"] == first["file_id"] and again.json()["duplicate_turn"] == 1
    assert again.json()["file_id"] == first["file_id"]
    assert stored(env, user, case_id)[1] == 1 and len(stored(env, user, case_id)[0]) == 1
    other_case = env.case_service.create(user.user_id, title="other").case_id
    assert upload(api, user, other_case, "app.log", LOG).status_code == 201  # dedupe is per case


def test_attach_from_a_turn_and_analyses_for_the_prompt(env: Container, user: SignedIn, case_id: str) -> None:
    from faultmaven.auth.service import Principal

    principal = Principal(user.user_id, user.username, ("user",))
    page = env.evidence.attach(principal, case_id, None, b"<html><title>Status</title><p>All good</p></html>",
                               "text/html", turn_number=3, source="page_capture", source_url="https://status.x")
    assert page.upload_source == "page_capture" and page.filename == "page-capture.html"
    assert page.source_type == "text" and page.source_metadata == {"source_url": "https://status.x"}
    pasted = env.evidence.attach(principal, case_id, None, io.BytesIO(LOG), None, turn_number=4, source="paste")
    assert pasted.source_type == "logs" and pasted.filename == "pasted-content.txt"
    analyses = env.evidence.analyses_for_case(user.user_id, case_id)
    assert [(a.filename, a.uploaded_at_turn) for a in analyses] == [("page-capture.html", 3),
                                                                    ("pasted-content.txt", 4)]
    assert analyses[1].analysis["severity_counts"]["error"] == 2


def test_source_types_and_sorting(api: TestClient, user: SignedIn, case_id: str) -> None:
    samples = {"values.yaml": (b"replicas: 3\nimage: app:1.2\n", "configuration"),
               "cpu.csv": (b"timestamp,cpu\n2024-01-01T00:00:00Z,0.5\n2024-01-01T00:01:00Z,0.9\n"
                           b"2024-01-01T00:02:00Z,0.7\n", "metrics"),
               "handler.py": (b"def handler(event):\n    return event\n", "code"),
               "notes.txt": (b"We restarted the pods and it came back.\n", "text"),
               "shot.png": (PNG, "image")}
    for turn, (name, (data, kind)) in enumerate(samples.items(), start=1):
        r = upload(api, user, case_id, name, data, turn_number=str(turn))
        assert r.status_code == 201 and r.json()["source_type"] == kind, (name, r.text)
    def names(**params: str) -> list[str]:
        r = api.get(files_url(case_id), headers=user.headers, params=params)
        return [f["filename"] for f in r.json()["files"]]

    assert names() == ["shot.png", "notes.txt", "handler.py", "cpu.csv", "values.yaml"]
    assert names(sort_by="filename", sort_order="asc") == sorted(samples)
    assert names(sort_by="size", sort_order="asc")[:2] == ["values.yaml", "handler.py"]
    assert names(limit="2", offset="1") == ["notes.txt", "handler.py"]
    assert api.get(files_url(case_id), headers=user.headers, params={"sort_by": "bogus"}).status_code == 422
    assert api.get(files_url(case_id), headers=user.headers, params={"limit": "101"}).status_code == 422


def test_another_users_case_and_files_are_404(api: TestClient, env: Container, user: SignedIn,
                                              case_id: str) -> None:
    file_id = upload(api, user, case_id, "app.log", LOG).json()["file_id"]
    mallory = sign_up(api, "mallory")
    for method, path in [("get", files_url(case_id)), ("get", f"{files_url(case_id)}/{file_id}"),
                         ("get", f"{files_url(case_id)}/{file_id}/content"),
                         ("delete", f"{files_url(case_id)}/{file_id}"), ("get", f"/api/v1/cases/{case_id}/evidence")]:
        r = api.request(method, path, headers=mallory.headers)
        assert r.status_code == 404, (method, path, r.status_code)
    r = upload(api, mallory, case_id, "x.log", b"hello\n")
    assert r.status_code == 404
    assert api.get(files_url("case_missing"), headers=user.headers).status_code == 404
    assert api.get(files_url(case_id)).status_code == 401
    assert stored(env, user, case_id)[1] == 1


def test_presigned_upload(api: TestClient, env: Container, user: SignedIn, case_id: str) -> None:
    r = api.post(f"{files_url(case_id)}/presign", headers=user.headers,
                 json={"filename": "big.log", "size_bytes": len(LOG)})
    if env.embedded:
        assert r.status_code == 400 and r.json()["code"] == "PRESIGN_NOT_SUPPORTED"
        assert "multipart" in r.json()["detail"]
        return
    import requests

    assert r.status_code == 200, r.text
    ticket = r.json()
    assert ticket["method"] == "PUT" and ticket["max_file_bytes"] == LIMIT
    assert f"/pending/{user.user_id}/{case_id}/{ticket['file_id']}" in ticket["upload_url"]
    assert requests.put(ticket["upload_url"], data=LOG, headers=ticket["headers"], timeout=10).status_code == 200
    done = api.post(ticket["complete_url"], headers=user.headers, json={"filename": "big.log", "turn_number": 2})
    assert done.status_code == 201, done.text
    assert done.json()["file_id"] == ticket["file_id"] and done.json()["source_type"] == "logs"
    # the pending object is gone: only the recorded blob is left
    assert stored(env, user, case_id) == ([f"{user.user_id}/{case_id}/{ticket['file_id']}"], 1)
    assert api.post(ticket["complete_url"], headers=user.headers,
                    json={"filename": "big.log"}).status_code == 404  # nothing waiting any more

    too_big = api.post(f"{files_url(case_id)}/presign", headers=user.headers,
                       json={"filename": "huge.log", "size_bytes": 100 * 1024 * 1024})
    assert too_big.status_code == 413 and too_big.json()["code"] == "FILE_TOO_LARGE"
    bad_type = api.post(f"{files_url(case_id)}/presign", headers=user.headers,
                        json={"filename": "x.zip", "size_bytes": 10})
    assert bad_type.status_code == 415

    # A zip smuggled through a presigned PUT is refused at completion and removed.
    zipped = ZIP_BOMB
    ticket = api.post(f"{files_url(case_id)}/presign", headers=user.headers,
                      json={"filename": "x.log", "size_bytes": len(zipped)}).json()
    assert requests.put(ticket["upload_url"], data=zipped, headers=ticket["headers"], timeout=10).status_code == 200
    refused = api.post(ticket["complete_url"], headers=user.headers, json={"filename": "x.log"})
    assert refused.status_code == 415 and refused.json()["code"] == "ARCHIVE_OR_EXECUTABLE"
    assert len(stored(env, user, case_id)[0]) == 1


# -- bad input: each a clear 4xx JSON error, nothing half-written ------------------------------------------------


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("huge.log", b"A" * (20 * 1024 * 1024))  # 20 MB that compress to ~20 KB
    return buf.getvalue()


ZIP_BOMB = _zip_bomb()
BAD_INPUTS = {
    "empty": ("app.log", b"", "text/plain", 400, "EMPTY_FILE"),
    "binary": ("app.log", bytes(range(256)) * 8, "text/plain", 415, "BINARY_CONTENT"),
    "zip_bomb_as_log": ("logs.log", ZIP_BOMB, "text/plain", 415, "ARCHIVE_OR_EXECUTABLE"),
    "zip_bomb_as_zip": ("logs.zip", ZIP_BOMB, "application/zip", 415, "EXTENSION_NOT_ALLOWED"),
    "gzip_bomb": ("app.log.gz", gzip.compress(b"A" * (4 * LIMIT + 1)), "application/gzip", 413,
                  "DECOMPRESSED_TOO_LARGE"),
    "gzip_in_gzip": ("app.log.gz", gzip.compress(gzip.compress(LOG)), "application/gzip", 415, "ARCHIVE_OR_EXECUTABLE"),
    "damaged_gzip": ("app.log.gz", gzip.compress(LOG)[:-12], "application/gzip", 400, "BAD_COMPRESSED_DATA"),
    "not_gzip_named_gz": ("app.log.gz", LOG, "application/gzip", 415, "CONTENT_MISMATCH"),
    "gzip_of_a_binary": ("app.log.gz", gzip.compress(bytes(range(256)) * 8), "application/gzip", 415,
                         "BINARY_CONTENT"),
    "executable": ("tool.txt", b"\x7fELF\x02\x01\x01\x00" + b"\0" * 100, "text/plain", 415, "ARCHIVE_OR_EXECUTABLE"),
    "lying_content_type": ("photo.png", LOG, "image/png", 415, "CONTENT_MISMATCH"),
    "image_named_log": ("app.log", PNG, "text/plain", 415, "CONTENT_MISMATCH"),
    "traversal_to_nothing": ("../../", LOG, "text/plain", 400, "INVALID_FILENAME"),
    "no_extension": ("passwd", LOG, "text/plain", 415, "EXTENSION_NOT_ALLOWED"),
    "over_limit": ("app.log", b"x" * (LIMIT + 1), "text/plain", 413, "FILE_TOO_LARGE"),
}


def test_bad_input_is_a_clear_4xx_and_stores_nothing(api: TestClient, env: Container, user: SignedIn,
                                                     case_id: str) -> None:
    for case, (name, data, content_type, status, code) in BAD_INPUTS.items():
        r = upload(api, user, case_id, name, data, content_type)
        assert (r.status_code, r.json()["code"]) == (status, code), (case, r.text)
        assert isinstance(r.json()["detail"], str) and r.json()["detail"], case
        assert stored(env, user, case_id) == ([], 0), case


def _streamed_multipart(name: str, total: int, chunk: int = 8192) -> Iterator[bytes]:
    boundary = "streamboundary"
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
           "Content-Type: text/plain\r\n\r\n").encode()
    for _ in range(total // chunk):
        yield b"y" * chunk
    yield f"\r\n--{boundary}--\r\n".encode()


def test_streamed_body_over_the_limit_is_413(api: TestClient, env: Container, user: SignedIn, case_id: str) -> None:
    headers = {**user.headers, "Content-Type": "multipart/form-data; boundary=streamboundary"}
    r = api.post(files_url(case_id), headers=headers, content=_streamed_multipart("big.log", 4 * LIMIT))
    assert r.status_code == 413 and r.json()["code"] == "FILE_TOO_LARGE" and "65536" in r.json()["detail"]
    assert stored(env, user, case_id) == ([], 0)


def test_declared_100mb_body_is_refused_from_its_header(api: TestClient, env: Container, user: SignedIn,
                                                         case_id: str) -> None:
    headers = {**user.headers, "Content-Type": "multipart/form-data; boundary=b",
               "Content-Length": str(100 * 1024 * 1024)}
    r = api.post(files_url(case_id), headers=headers, content=b"--b--\r\n")
    assert r.status_code == 413 and r.json()["code"] == "FILE_TOO_LARGE"


def test_traversal_filename_is_only_a_display_name(api: TestClient, env: Container, user: SignedIn,
                                                   case_id: str) -> None:
    r = upload(api, user, case_id, "../../../../etc/cron.d/evil.log", LOG)
    assert r.status_code == 201 and r.json()["filename"] == "evil.log"
    assert stored(env, user, case_id) == ([f"{user.user_id}/{case_id}/{r.json()['file_id']}"], 1)
    if env.embedded:
        outside = [p for p in env.settings.data_dir.parent.rglob("evil*")]
        assert outside == []


def test_lying_content_type_does_not_matter_when_the_content_is_fine(api: TestClient, user: SignedIn,
                                                                      case_id: str) -> None:
    r = upload(api, user, case_id, "app.log", LOG, "application/x-msdownload")
    assert r.status_code == 201 and r.json()["content_type"] == "text/plain; charset=utf-8"


def test_not_multipart_or_no_file_field(api: TestClient, user: SignedIn, case_id: str) -> None:
    r = api.post(files_url(case_id), headers=user.headers, json={"file": "x"})
    assert r.status_code == 415 and r.json()["code"] == "MULTIPART_REQUIRED"
    r = api.post(files_url(case_id), headers=user.headers, data={"other": "x"}, files={"doc": ("a.log", b"x")})
    assert r.status_code == 400 and r.json()["code"] == "FILE_REQUIRED"
    r = upload(api, user, case_id, "a.log", LOG, turn_number="-1")
    assert r.status_code == 400 and r.json()["code"] == "INVALID_TURN_NUMBER"


def test_metadata_failure_removes_the_blob(api: TestClient, env: Container, user: SignedIn, case_id: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(record: object) -> None:
        raise RuntimeError("table unavailable")

    monkeypatch.setattr(env.evidence_files, "create", broken)
    r = upload(api, user, case_id, "app.log", LOG)
    assert r.status_code == 503 and r.json()["code"] == "STORAGE_UNAVAILABLE"
    assert stored(env, user, case_id)[0] == []


def test_blob_failure_records_nothing(api: TestClient, env: Container, user: SignedIn, case_id: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(key: str, data: bytes, content_type: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(env.blobs, "put", broken)
    r = upload(api, user, case_id, "app.log", LOG)
    assert r.status_code == 503 and r.json()["code"] == "STORAGE_UNAVAILABLE"
    assert env.evidence_files.list_for_case(user.user_id, case_id) == []


@pytest.mark.parametrize("name,pack", [("app.log.gz", gzip.compress), ("app.log.1.gz", gzip.compress),
                                       ("app.log.bz2", bz2.compress),
                                       ("app.log.zst", lambda d: zstandard.ZstdCompressor().compress(d))])
def test_compressed_logs_are_unpacked_and_analysed(api: TestClient, user: SignedIn, case_id: str, name: str,
                                                   pack: Callable[[bytes], bytes]) -> None:
    r = upload(api, user, case_id, name, pack(LOG), "application/octet-stream")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["filename"] == "app.log" and body["size_bytes"] == len(LOG)
    details = api.get(f"{files_url(case_id)}/{body['file_id']}", headers=user.headers).json()
    assert details["analysis"]["line_count"] == 3 and "timed out" in details["analysis"]["templates"][0]["template"]


def test_latin1_and_windows_1252_logs_are_text(api: TestClient, user: SignedIn, case_id: str) -> None:
    data = LOG + b"2024-05-01 10:00:10 ERROR caf\xe9 cr\xe8me: \x93quota\x94 exceeded, 5 \x80 owed\n"
    r = upload(api, user, case_id, "app.log", data)
    assert r.status_code == 201, r.text
    details = api.get(f"{files_url(case_id)}/{r.json()['file_id']}", headers=user.headers).json()
    examples = " ".join(t["example"] for t in details["analysis"]["templates"])
    assert "café crème: “quota” exceeded, 5 € owed" in examples
