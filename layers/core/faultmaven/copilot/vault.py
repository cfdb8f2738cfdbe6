"""Each case's placeholder map, sealed with AES-GCM and kept beside the case's files in the blob store.

Placeholders stay stable across a case's turns (the same secret, the same `{{REDACTED:label}}`), and only the
owner's explicit request turns them back into the originals.
"""

from __future__ import annotations

import base64
import os
from functools import cached_property

from faultmaven.evidence.naming import blob_key
from faultmaven.ports.blobs import BlobStore
from faultmaven.sanitize import PlaceholderMap
from faultmaven.secrets import load_secret
from faultmaven.settings import Settings

_VAULT_ID = "redaction-map"


def load_redaction_key(settings: Settings) -> bytes:
    explicit = settings.redaction_key.get_secret_value() if settings.redaction_key else None
    raw = load_secret(settings, value=explicit, secret_id=settings.redaction_key_secret_arn,
                      file_name="redaction.key", generate=lambda: base64.b64encode(os.urandom(32)),
                      what="the redaction key (FM_REDACTION_KEY or FM_REDACTION_KEY_SECRET_ARN)")
    key = base64.b64decode(raw.strip())
    if len(key) not in (16, 24, 32):
        raise ValueError("the redaction key must be base64 of 16, 24 or 32 bytes")
    return key


class RedactionVault:
    def __init__(self, blobs: BlobStore, settings: Settings) -> None:
        self.blobs = blobs
        self.settings = settings

    @cached_property
    def key(self) -> bytes:
        """Loaded on first use, so a function that only forgets maps never reads the secret."""
        return load_redaction_key(self.settings)

    def load(self, owner_id: str, case_id: str) -> tuple[PlaceholderMap, bool]:
        """The case's map, and whether it had to start afresh because the stored one was corrupt or unreadable.

        A fresh map keeps every turn sanitized (new placeholders are made as needed); only earlier placeholders can
        no longer be turned back into their values. The unreadable blob is overwritten by the next save."""
        key = blob_key(owner_id, case_id, _VAULT_ID)
        try:
            if not self.blobs.exists(key):
                return PlaceholderMap(), False
            return PlaceholderMap.decrypt(self.blobs.get(key), self.key), False
        except (ValueError, KeyError, TypeError, OSError):  # MappingDecryptError is a ValueError; bad JSON too
            return PlaceholderMap(), True

    def save(self, owner_id: str, case_id: str, mapping: PlaceholderMap) -> None:
        self.blobs.put(blob_key(owner_id, case_id, _VAULT_ID), mapping.encrypt(self.key), "application/octet-stream")

    def forget(self, owner_id: str, case_id: str) -> None:
        self.blobs.delete(blob_key(owner_id, case_id, _VAULT_ID))
