"""Placeholders: stable per case, encrypted at rest, re-hydrated for the owner; allow-list and extra patterns."""

from __future__ import annotations

import os

import pytest

from faultmaven.sanitize import MappingDecryptError, PlaceholderMap, Sanitizer
from faultmaven.settings import Settings


def test_same_value_same_placeholder_across_calls() -> None:
    s = Sanitizer()
    mapping = PlaceholderMap()
    first = s.sanitize("from a@example.com and b@example.com", mapping)
    second = s.sanitize("reply to b@example.com, cc a@example.com", mapping)
    assert first.text == "from {{REDACTED:email}} and {{REDACTED:email_2}}"
    assert second.text == "reply to {{REDACTED:email_2}}, cc {{REDACTED:email}}"
    assert second.summary == {"email": 2}


def test_without_a_mapping_each_call_starts_fresh() -> None:
    s = Sanitizer()
    s.sanitize("a@example.com")
    assert s.sanitize("b@example.com").text == "{{REDACTED:email}}"


def test_placeholders_in_one_batch_as_one_by_one() -> None:
    items = [("a@example.com", "email", False), ("hunter22", "password", True), ("b@example.com", "email", False),
             ("a@example.com", "email", True), ("hunter22", "password", False)]
    batch, single = PlaceholderMap(), PlaceholderMap()
    assert batch.placeholders_for(items) == [single.placeholder_for(v, label, remember=r) for v, label, r in items]
    assert batch.remembered() == single.remembered() == {"hunter22", "a@example.com"}
    assert [batch.label_of(v) for v, _, _ in items] == [single.label_of(v) for v, _, _ in items]
    assert batch.rehydrate("{{REDACTED:email_2}}") == "b@example.com"


def test_summary_never_contains_values() -> None:
    result = Sanitizer().sanitize("password=hunter22 user bob@example.com")
    assert result.summary == {"password": 1, "email": 1}
    assert "hunter22" not in repr(result)


def test_encrypt_round_trip_and_rehydrate() -> None:
    s = Sanitizer()
    original = "db password=Xk9pL2mQ7v and host 8.8.8.8\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    result = s.sanitize(original)
    key = os.urandom(32)
    blob = result.mapping.encrypt(key)
    assert b"Xk9pL2mQ7v" not in blob and b"8.8.8.8" not in blob
    restored = PlaceholderMap.decrypt(blob, key)
    assert restored.rehydrate(result.text) == original
    # stable after the round trip: the next turn reuses the placeholders and numbering
    again = s.sanitize("retry 8.8.8.8 then 1.1.1.1", restored)
    assert again.text == "retry {{REDACTED:ip_address}} then {{REDACTED:ip_address_2}}"


def test_rehydrate_leaves_unknown_placeholders() -> None:
    mapping = Sanitizer().sanitize("mail a@example.com").mapping
    reply = "Ask {{REDACTED:email}} about {{REDACTED:phone}}."
    assert mapping.rehydrate(reply) == "Ask a@example.com about {{REDACTED:phone}}."


@pytest.mark.parametrize("blob", [b"garbage", b"FMPM1" + bytes(40)])
def test_decrypt_rejects_bad_blobs(blob: bytes) -> None:
    with pytest.raises(MappingDecryptError):
        PlaceholderMap.decrypt(blob, os.urandom(32))


def test_decrypt_rejects_wrong_key() -> None:
    blob = Sanitizer().sanitize("a@example.com").mapping.encrypt(os.urandom(32))
    with pytest.raises(MappingDecryptError):
        PlaceholderMap.decrypt(blob, os.urandom(32))


def test_allowlist_exact_and_regex() -> None:
    s = Sanitizer(allowlist=["oncall@example.com", r"re:.*@corp\.example"])
    result = s.sanitize("page oncall@example.com, cc lead@corp.example and eve@example.org")
    assert result.text == "page oncall@example.com, cc lead@corp.example and {{REDACTED:email}}"


def test_extra_patterns_whole_match_and_value_group() -> None:
    s = Sanitizer(extra_patterns={"employee_id": r"\bEMP-\d{6}\b", "ticket_secret": r"tkt=(?P<value>\w{8})"})
    result = s.sanitize("EMP-123456 opened tkt=abcd1234 today")
    assert result.text == "{{REDACTED:employee_id}} opened tkt={{REDACTED:ticket_secret}} today"


def test_extra_pattern_label_must_be_a_token() -> None:
    with pytest.raises(ValueError, match="label"):
        Sanitizer(extra_patterns={"Bad Label": "x"})


def test_from_settings() -> None:
    settings = Settings(sanitize_allowlist=["10.9.8.7"], sanitize_redact_private_ips=True,
                        sanitize_extra_patterns={"host": r"\bprod-db-\d+\b"})
    result = Sanitizer.from_settings(settings).sanitize("prod-db-3 at 10.9.8.7 and 10.9.8.8")
    assert result.text == "{{REDACTED:host}} at 10.9.8.7 and {{REDACTED:ip_address}}"


def test_disabled_sanitizer_passes_text_through() -> None:
    text = "password=hunter22"
    assert Sanitizer.from_settings(Settings(sanitize_enabled=False)).sanitize(text).text == text
