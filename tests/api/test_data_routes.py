"""The admin data routes: export to a download (embedded) or a presigned link (S3 on moto), import from the request
body or from a presigned upload slot; admin only, size-limited, a tampered bundle refused with a 400."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.adapters.sqlite.vector_index import SqliteVectorIndex
from faultmaven.container import Container, set_container
from faultmaven.portability.service import export_key, import_key
from faultmaven.settings import Settings
from local.server import build_app
from tests.api.test_knowledge_api import sign_in_with_roles
from tests.conftest import PASSWORD, SignedIn, sign_up
from tests.unit.test_documents_service import HashingEmbedder

DATA = "/api/v1/admin/data"
GZIP = {"Content-Type": "application/gzip"}


def _hashing(container: Container, index: Path) -> Container:
    container.__dict__["embedder"] = HashingEmbedder()
    container.__dict__["vector_index"] = SqliteVectorIndex(SqliteDatabase(index), HashingEmbedder.space)
    return container


def _fill(client: TestClient) -> SignedIn:
    alice = sign_up(client, "alice")
    r = client.post("/api/v1/cases", json={"description": "queue backlog"}, headers=alice.headers)
    case_id = r.json()["case_id"]
    r = client.post(f"/api/v1/cases/{case_id}/uploaded-files", headers=alice.headers,
                    files={"file": ("worker.log", b"2026-11-25 09:10:00 ERROR consumer lag 50000\n", "text/plain")})
    assert r.status_code == 201, r.text
    return alice


def _export(client: TestClient, admin: SignedIn) -> bytes:
    r = client.post(f"{DATA}/exports", headers=admin.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["counts"]["cases"] == 1 and body["counts"]["evidence"] == 1 and body["counts"]["users"] == 2
    download = client.get(body["download"], headers=admin.headers)
    assert download.status_code == 200 and download.headers["content-type"] == "application/gzip"
    return download.content


def test_export_then_import_into_another_server(container: Container, tmp_path: Path) -> None:
    _hashing(container, tmp_path / "a-index.sqlite")
    with TestClient(build_app(container.settings), raise_server_exceptions=False) as client:
        alice = _fill(client)
        admin = sign_in_with_roles(client, container, "root", ["user", "admin"])
        assert client.post(f"{DATA}/exports", headers=alice.headers).status_code == 403
        assert client.post(f"{DATA}/exports").status_code == 401
        archive = _export(client, admin)
        assert client.get(f"{DATA}/exports/exp_missing", headers=admin.headers).status_code == 404

    target = _hashing(Container(Settings(mode="embedded", data_dir=tmp_path / "b")), tmp_path / "b-index.sqlite")
    set_container(target)
    with TestClient(build_app(target.settings), raise_server_exceptions=False) as client:
        ops = sign_in_with_roles(client, target, "ops", ["user", "admin"])
        assert client.post(f"{DATA}/imports", content=archive, headers={**GZIP, **alice.headers}).status_code == 401
        first = client.post(f"{DATA}/imports", content=archive, headers={**GZIP, **ops.headers})
        assert first.status_code == 200, first.text
        assert first.json()["written"]["cases"] == 1 and first.json()["written"]["evidence"] == 1
        again = client.post(f"{DATA}/imports", content=archive, headers={**GZIP, **ops.headers}).json()
        assert sum(again["written"].values()) == 0 and again["blobs_written"] == 0
        # alice signs in on the new server with her password, and finds her case and its file
        login = client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        cases = client.get("/api/v1/cases", headers=headers).json()
        case_id = cases["cases"][0]["case_id"]
        files = client.get(f"/api/v1/cases/{case_id}/uploaded-files", headers=headers).json()["files"]
        content = client.get(f"/api/v1/cases/{case_id}/uploaded-files/{files[0]['file_id']}/content",
                             headers=headers)
        assert content.content == b"2026-11-25 09:10:00 ERROR consumer lag 50000\n"


def _tampered(archive: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(archive)) as src, tarfile.open(fileobj=out, mode="w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if member.name.endswith("cases.jsonl"):
                data = data.replace(b"queue backlog", b"queue fixed!!")
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def test_bad_bundles_are_4xx_and_write_nothing(container: Container, tmp_path: Path) -> None:
    _hashing(container, tmp_path / "index.sqlite")
    with TestClient(build_app(container.settings), raise_server_exceptions=False) as client:
        _fill(client)
        admin = sign_in_with_roles(client, container, "root", ["user", "admin"])
        archive = _export(client, admin)
        users_before = len(list(container.users.all()))
        bad = client.post(f"{DATA}/imports", content=_tampered(archive), headers={**GZIP, **admin.headers})
        assert bad.status_code == 400 and bad.json()["code"] == "BUNDLE_INVALID", bad.text
        assert "checksum" in bad.json()["detail"]
        junk = client.post(f"{DATA}/imports", content=b"not a tarball", headers={**GZIP, **admin.headers})
        assert junk.status_code == 400 and junk.json()["code"] == "BUNDLE_INVALID"
        assert client.post(f"{DATA}/imports", content=archive,
                           headers={"Content-Type": "application/json", **admin.headers}).status_code == 415
        slot = client.post(f"{DATA}/imports/uploads", json={"size_bytes": 100}, headers=admin.headers)
        assert slot.status_code == 400 and slot.json()["code"] == "PRESIGN_NOT_SUPPORTED"
        assert client.post(f"{DATA}/imports/imp_none", headers=admin.headers).status_code == 404
        assert len(list(container.users.all())) == users_before


def test_bundles_over_the_limit_are_413(tmp_path: Path) -> None:
    small = _hashing(Container(Settings(mode="embedded", data_dir=tmp_path / "d", bundle_max_bytes=2048)),
                     tmp_path / "index.sqlite")
    set_container(small)
    try:
        with TestClient(build_app(small.settings), raise_server_exceptions=False) as client:
            _fill(client)
            admin = sign_in_with_roles(client, small, "root", ["user", "admin"])
            big = client.post(f"{DATA}/imports", content=b"x" * 4096, headers={**GZIP, **admin.headers})
            assert big.status_code == 413 and big.json()["code"] == "BUNDLE_TOO_LARGE"
            for n in range(12):  # enough incompressible data that the export outgrows 2 KB
                client.post("/api/v1/cases", json={"description": f"case {n} {n ** 7:x}{hash(n)}"},
                            headers=admin.headers)
            r = client.post(f"{DATA}/exports", headers=admin.headers)
            assert r.status_code == 413 and r.json()["code"] == "BUNDLE_TOO_LARGE"
    finally:
        set_container(None)


def test_cloud_export_is_a_presigned_link_and_import_reads_the_upload_slot(aws_container: Container,
                                                                           tmp_path: Path) -> None:
    cloud = _hashing(aws_container, tmp_path / "index.sqlite")
    with TestClient(build_app(cloud.settings), raise_server_exceptions=False) as client:
        _fill(client)
        admin = sign_in_with_roles(client, cloud, "root", ["user", "admin"])
        r = client.post(f"{DATA}/exports", headers=admin.headers)
        assert r.status_code == 201, r.text
        export_id = r.json()["export_id"]
        link = client.get(r.json()["download"], headers=admin.headers, follow_redirects=False)
        assert link.status_code == 307 and export_key(export_id) in link.headers["location"]
        assert "X-Amz-Signature" in link.headers["location"]
        archive = cloud.blobs.get(export_key(export_id))

        slot = client.post(f"{DATA}/imports/uploads", json={"size_bytes": len(archive)}, headers=admin.headers)
        assert slot.status_code == 200, slot.text
        import_id = slot.json()["import_id"]
        assert slot.json()["upload"]["method"] == "PUT" and import_key(import_id) in slot.json()["upload"]["url"]
        cloud.blobs.put(import_key(import_id), archive, "application/gzip")  # what the client's PUT stores
        done = client.post(f"{DATA}/imports/{import_id}", headers=admin.headers)
        assert done.status_code == 200, done.text
        assert sum(done.json()["written"].values()) == 0 and done.json()["unchanged"]["cases"] == 1  # same data
        assert not cloud.blobs.exists(import_key(import_id))
        too_big = client.post(f"{DATA}/imports/uploads", json={"size_bytes": 10**12}, headers=admin.headers)
        assert too_big.status_code == 413


@pytest.fixture(autouse=True)
def _reset() -> None:
    yield
    set_container(None)
