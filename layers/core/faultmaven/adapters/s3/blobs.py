"""Blobs in a private S3 bucket (cloud, LocalStack, MiniStack, moto), with presigned PUT and GET.

Objects are written with SSE-S3 encryption; the bucket itself blocks public access (the CDK stack sets that).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from faultmaven.errors import NotFound
from faultmaven.ports.blobs import PresignedUpload
from faultmaven.settings import Settings

_MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


class S3BlobStore:
    supports_presign = True

    def __init__(self, settings: Settings, bucket: str) -> None:
        self.settings = settings
        self.bucket = bucket

    @cached_property
    def client(self) -> Any:
        import boto3  # lazy: keeps boto3 out of cold starts that never touch blobs
        from botocore.config import Config

        return boto3.client("s3", region_name=self.settings.aws_region, endpoint_url=self.settings.aws_endpoint_url,
                            config=Config(signature_version="s3v4"))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type,
                               ServerSideEncryption="AES256")

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if _missing(exc):
                raise NotFound("file content not found") from exc
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def size(self, key: str) -> int | None:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def presign_put(self, key: str, size_bytes: int, expires_in: int) -> PresignedUpload:
        # Content-Length is signed: S3 refuses a body of any other size, so the declared size is the size stored.
        url = self.client.generate_presigned_url(
            "put_object", Params={"Bucket": self.bucket, "Key": key, "ContentLength": size_bytes},
            ExpiresIn=expires_in)
        return PresignedUpload(url=url, headers={"Content-Length": str(size_bytes)}, expires_in=expires_in)

    def presign_get(self, key: str, content_type: str, content_disposition: str, expires_in: int) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type,
                                  "ResponseContentDisposition": content_disposition},
            ExpiresIn=expires_in)
