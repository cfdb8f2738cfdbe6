"""Each case's placeholder map, sealed with AES-GCM and kept beside the case's files in the blob store.

Placeholders stay stable across a case's turns (the same secret, the same `{{REDACTED:label}}`), and only the
owner's explicit request turns them back into the originals. Saving merges into what is stored (never last-writer-
wins), so an entry another writer added is never lost.
"""

from __future__ import annotations

import base64
import json
import os
from functools import cached_property
from typing import Any

from faultmaven.errors import Conflict
from faultmaven.evidence.naming import blob_key
from faultmaven.ports.blobs import BlobStore
from faultmaven.sanitize import PlaceholderMap, Sanitizer
from faultmaven.secrets import load_secret
from faultmaven.settings import Settings

_VAULT_ID = "redaction-map"


def map_key(owner_id: str, case_id: str) -> str:
    """Where a case's sealed map lives in the blob store (beside the case's files)."""
    return blob_key(owner_id, case_id, _VAULT_ID)


def load_redaction_key(settings: Settings) -> bytes:
    explicit = settings.redaction_key.get_secret_value() if settings.redaction_key else None
    raw = load_secret(settings, value=explicit, secret_id=settings.redaction_key_secret_arn,
                      file_name="redaction.key", generate=lambda: base64.b64encode(os.urandom(32)),
                      what="the redaction key (FM_REDACTION_KEY or FM_REDACTION_KEY_SECRET_ARN)")
    key = base64.b64decode(raw.strip())
    if len(key) not in (16, 24, 32):
        raise ValueError("the redaction key must be base64 of 16, 24 or 32 bytes")
    return key


def merge_maps(stored: PlaceholderMap, mine: PlaceholderMap) -> PlaceholderMap:
    """The stored entries plus the new ones of `mine`. A placeholder already standing for another value is a
    conflict (409): renumbering it would change the meaning of text already written with it."""
    base, extra = json.loads(stored.to_json()), json.loads(mine.to_json())
    values = {e["value"]: e for e in base["entries"]}
    taken = {e["placeholder"]: e["value"] for e in base["entries"]}
    for entry in extra["entries"]:
        if entry["value"] in values:
            values[entry["value"]]["remember"] |= entry["remember"]
            continue
        if taken.get(entry["placeholder"], entry["value"]) != entry["value"]:
            raise Conflict("the case's placeholder map changed meanwhile; send the turn again",
                           code="PLACEHOLDER_CONFLICT", headers={"Retry-After": "1"})
        base["entries"].append(entry)
    for label, n in extra["labels"].items():
        base["labels"][label] = max(n, base["labels"].get(label, 0))
    return PlaceholderMap.from_json(json.dumps(base).encode())


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
        key = map_key(owner_id, case_id)
        try:
            if not self.blobs.exists(key):
                return PlaceholderMap(), False
            return PlaceholderMap.decrypt(self.blobs.get(key), self.key), False
        except (ValueError, KeyError, TypeError, OSError):  # MappingDecryptError is a ValueError; bad JSON too
            return PlaceholderMap(), True

    def save(self, owner_id: str, case_id: str, mapping: PlaceholderMap) -> None:
        """Merge `mapping` into the stored map, never overwrite it: entries stored meanwhile by another writer stay."""
        merged = merge_maps(self.load(owner_id, case_id)[0], mapping)
        self.blobs.put(map_key(owner_id, case_id), merged.encrypt(self.key), "application/octet-stream")

    def forget(self, owner_id: str, case_id: str) -> None:
        self.blobs.delete(map_key(owner_id, case_id))


class StoredTextRedactor:
    """Sanitizes what a case stores (title, description, first message, file analyses) with the case's map, kept
    in the vault. A `faultmaven.sanitize.stored.Redactor`."""

    def __init__(self, vault: RedactionVault, sanitizer: Sanitizer) -> None:
        self.vault = vault
        self.sanitizer = sanitizer

    def __call__(self, owner_id: str, case_id: str, texts: list[Any]) -> list[Any]:
        mapping, _ = self.vault.load(owner_id, case_id)  # a lost map is said by the next turn
        before = (len(mapping), len(mapping.remembered()))
        clean = self.sanitizer.sanitize_data(texts, mapping)
        if (len(mapping), len(mapping.remembered())) != before:  # only a case with secrets writes a map
            self.vault.save(owner_id, case_id, mapping)
        return clean
