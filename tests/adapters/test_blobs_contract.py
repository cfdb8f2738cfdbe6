"""One contract for every blob store: the filesystem (embedded) and S3 (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests

from faultmaven.adapters.files.blobs import FilesystemBlobStore
from faultmaven.adapters.s3.blobs import S3BlobStore
from faultmaven.errors import InvalidInput, NotFound
from faultmaven.settings import Settings

KEY = "usr_1/case_1/file_1"


@pytest.fixture(params=["files", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FilesystemBlobStore | S3BlobStore]:
    if request.param == "files":
        yield FilesystemBlobStore(tmp_path / "blobs")
        return
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="fmtest-evidence")
        yield S3BlobStore(Settings(mode="aws"), "fmtest-evidence")


def test_put_get_size_exists_delete(store) -> None:
    assert not store.exists(KEY) and store.size(KEY) is None
    store.put(KEY, b"hello", "text/plain")
    assert store.exists(KEY) and store.size(KEY) == 5 and store.get(KEY) == b"hello"
    store.put(KEY, b"replaced", "text/plain")
    assert store.get(KEY) == b"replaced"
    store.delete(KEY)
    assert not store.exists(KEY)
    store.delete(KEY)  # deleting what is gone is fine
    with pytest.raises(NotFound):
        store.get(KEY)


def test_keys_do_not_collide_across_owners_and_cases(store) -> None:
    store.put("usr_1/case_1/f", b"a", "text/plain")
    store.put("usr_2/case_1/f", b"b", "text/plain")
    store.put("usr_1/case_2/f", b"c", "text/plain")
    assert [store.get(k) for k in ("usr_1/case_1/f", "usr_2/case_1/f", "usr_1/case_2/f")] == [b"a", b"b", b"c"]


def test_filesystem_refuses_keys_that_leave_its_root(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs")
    for key in ("../outside", "usr/../../x", "/etc/passwd", "a//b", "a/./b", ".hidden/x", "a\\b"):
        with pytest.raises(InvalidInput):
            store.put(key, b"x", "text/plain")
    assert not (tmp_path / "outside").exists()
    assert not list(tmp_path.rglob("x"))


def test_filesystem_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs")
    store.put(KEY, b"data", "text/plain")
    assert [p.name for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == ["file_1"]


def test_filesystem_has_no_presigned_urls(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs")
    assert store.supports_presign is False
    with pytest.raises(InvalidInput) as err:
        store.presign_put(KEY, 10, 60)
    assert err.value.code == "PRESIGN_NOT_SUPPORTED"


def test_s3_presigned_put_takes_exactly_the_signed_size_and_get_downloads() -> None:
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="fmtest-evidence")
        store = S3BlobStore(Settings(mode="aws"), "fmtest-evidence")
        upload = store.presign_put("pending/" + KEY, 11, 300)
        assert upload.method == "PUT" and upload.headers == {"Content-Length": "11"}
        assert "content-length" in upload.url.lower()  # the size is part of the signature
        assert requests.put(upload.url, data=b"hello world", headers=upload.headers, timeout=10).status_code == 200
        assert store.get("pending/" + KEY) == b"hello world"
        url = store.presign_get("pending/" + KEY, "text/plain; charset=utf-8", 'attachment; filename="a.log"', 60)
        got = requests.get(url, timeout=10)
        assert got.content == b"hello world"
        assert got.headers["Content-Disposition"] == 'attachment; filename="a.log"'
