"""The per-case map from redacted values to placeholders, stored only encrypted (AES-GCM)."""

from __future__ import annotations

import json
import os
import re
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PLACEHOLDER = re.compile(r"\{\{REDACTED:([A-Za-z][A-Za-z0-9_]*)\}\}")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MAGIC = b"FMPM1"
_NONCE_BYTES = 12


class MappingDecryptError(ValueError):
    """The blob is not a placeholder map sealed with this key (wrong key, truncated or tampered)."""


def line_breaks(value: str) -> str:
    """The line breaks inside `value`, in order: a placeholder keeps them so redaction never changes line counts."""
    if "\n" not in value and "\r" not in value:  # most values: two memchr instead of a regex call
        return ""
    return "".join(_LINE_BREAK.findall(value))


class PlaceholderMap:
    """value -> placeholder, stable within a case.

    The first distinct value of a label becomes `{{REDACTED:label}}`, the n-th `{{REDACTED:label_n}}`, so a reply
    can tell two redacted hosts apart and the owner's view can put each value back.
    """

    def __init__(self) -> None:
        self._by_value: dict[str, str] = {}
        self._label_by_value: dict[str, str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._per_label: dict[str, int] = {}
        self._remembered: set[str] = set()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._by_value)

    def __contains__(self, value: object) -> bool:
        return value in self._by_value

    def placeholder_for(self, value: str, label: str, *, remember: bool = False) -> str:
        with self._lock:
            placeholder = self._by_value.get(value)
            if placeholder is None:
                n = self._per_label.get(label, 0) + 1
                self._per_label[label] = n
                placeholder = "{{REDACTED:" + (label if n == 1 else f"{label}_{n}") + "}}"
                self._by_value[value] = placeholder
                self._label_by_value[value] = label
                self._by_placeholder[placeholder] = value
            if remember:
                self._remembered.add(value)
            return placeholder

    def placeholders_for(self, items: list[tuple[str, str, bool]]) -> list[str]:
        """`placeholder_for` of each (value, label, remember), in order, under one acquisition of the lock (a log's
        thousands of findings each paid for taking and releasing it)."""
        by_value, per_label, remembered = self._by_value, self._per_label, self._remembered
        out = []
        with self._lock:
            for value, label, remember in items:
                placeholder = by_value.get(value)
                if placeholder is None:
                    n = per_label.get(label, 0) + 1
                    per_label[label] = n
                    placeholder = "{{REDACTED:" + (label if n == 1 else f"{label}_{n}") + "}}"
                    by_value[value] = placeholder
                    self._label_by_value[value] = label
                    self._by_placeholder[placeholder] = value
                if remember:
                    remembered.add(value)
                out.append(placeholder)
        return out

    def label_of(self, value: str) -> str | None:
        return self._label_by_value.get(value)

    def remembered(self) -> frozenset[str]:
        """Values found by context (a key name) whose other occurrences must be redacted too."""
        return frozenset(self._remembered)

    def rehydrate(self, text: str) -> str:
        """Put the original values back (for the owner's eyes only). Unknown placeholders are left alone."""

        out: list[str] = []
        pos = 0
        for match in PLACEHOLDER.finditer(text):
            value = self._by_placeholder.get(match.group(0))
            if value is None:
                continue
            out += [text[pos : match.start()], value]
            pos = match.end()
            breaks = line_breaks(value)
            if breaks and text.startswith(breaks, pos):  # the line breaks the placeholder kept belong to the value
                pos += len(breaks)
        out.append(text[pos:])
        return "".join(out)

    def to_json(self) -> bytes:
        entries = [
            {
                "value": value,
                "label": self._label_by_value[value],
                "placeholder": placeholder,
                "remember": value in self._remembered,
            }
            for value, placeholder in self._by_value.items()
        ]
        return json.dumps({"version": 1, "labels": self._per_label, "entries": entries}).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> PlaceholderMap:
        data = json.loads(raw)
        mapping = cls()
        mapping._per_label = {str(k): int(v) for k, v in data["labels"].items()}
        for entry in data["entries"]:
            mapping._by_value[entry["value"]] = entry["placeholder"]
            mapping._label_by_value[entry["value"]] = entry["label"]
            mapping._by_placeholder[entry["placeholder"]] = entry["value"]
            if entry.get("remember"):
                mapping._remembered.add(entry["value"])
        return mapping

    def encrypt(self, key: bytes) -> bytes:
        """Seal with AES-GCM (key of 16, 24 or 32 bytes): magic | 12-byte nonce | ciphertext+tag."""
        nonce = os.urandom(_NONCE_BYTES)
        return _MAGIC + nonce + AESGCM(key).encrypt(nonce, self.to_json(), _MAGIC)

    @classmethod
    def decrypt(cls, blob: bytes, key: bytes) -> PlaceholderMap:
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + _NONCE_BYTES + 16:
            raise MappingDecryptError("not a placeholder map blob")
        nonce = blob[len(_MAGIC) : len(_MAGIC) + _NONCE_BYTES]
        try:
            raw = AESGCM(key).decrypt(nonce, blob[len(_MAGIC) + _NONCE_BYTES :], _MAGIC)
        except InvalidTag as exc:
            raise MappingDecryptError("placeholder map could not be decrypted with this key") from exc
        return cls.from_json(raw)
