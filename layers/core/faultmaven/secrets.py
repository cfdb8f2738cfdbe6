"""Secret material: from the environment, from Secrets Manager, or (embedded) generated once under the data dir."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from faultmaven.settings import Settings


def data_dir_secret(data_dir: Path, name: str, generate: Callable[[], bytes]) -> bytes:
    """The secret kept at `<data_dir>/keys/<name>`, created on first use (owner-only, written atomically)."""
    path = data_dir / "keys" / name
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(generate())
    os.replace(tmp, path)
    return path.read_bytes()


def secrets_manager_value(settings: Settings, secret_id: str) -> bytes:
    import boto3  # lazy: only the cloud path pays for boto3

    client = boto3.client("secretsmanager", region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    return client.get_secret_value(SecretId=secret_id)["SecretString"].encode()


def load_secret(settings: Settings, *, value: str | None, secret_id: str | None, file_name: str,
                generate: Callable[[], bytes], what: str) -> bytes:
    """The first of: an explicit value, a Secrets Manager secret, an embedded-mode file; else a clear error."""
    if value is not None:
        return value.encode()
    if secret_id:
        return secrets_manager_value(settings, secret_id)
    if settings.mode == "embedded":
        return data_dir_secret(settings.data_dir, file_name, generate)
    raise RuntimeError(f"{what} must come from the environment or Secrets Manager outside the embedded mode")
