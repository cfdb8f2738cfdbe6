"""The case's placeholder map is merged into what is stored, never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultmaven.adapters.files.blobs import FilesystemBlobStore
from faultmaven.copilot.vault import RedactionVault
from faultmaven.errors import Conflict
from faultmaven.settings import Settings


def test_two_writers_keep_both_entries_and_a_clash_is_a_conflict(tmp_path: Path) -> None:
    vault = RedactionVault(FilesystemBlobStore(tmp_path / "blobs"), Settings(mode="embedded", data_dir=tmp_path))
    first, second = vault.load("u1", "c1")[0], vault.load("u1", "c1")[0]  # both read the same (empty) map
    assert first.placeholder_for("10.0.0.7", "ip") == "{{REDACTED:ip}}"
    assert second.placeholder_for("alice@example.com", "email") == "{{REDACTED:email}}"
    vault.save("u1", "c1", first)
    vault.save("u1", "c1", second)  # last writer, but the first writer's entry stays
    stored = vault.load("u1", "c1")[0]
    assert stored.rehydrate("{{REDACTED:ip}} {{REDACTED:email}}") == "10.0.0.7 alice@example.com"
    assert stored.placeholder_for("10.0.0.9", "ip") == "{{REDACTED:ip_2}}"  # numbering continues after both

    clash = vault.load("u1", "c2")[0]
    clash.placeholder_for("10.0.0.8", "ip")
    other = vault.load("u1", "c2")[0]
    other.placeholder_for("192.168.1.1", "ip")  # the same placeholder for another value
    vault.save("u1", "c2", clash)
    with pytest.raises(Conflict) as err:
        vault.save("u1", "c2", other)
    assert err.value.code == "PLACEHOLDER_CONFLICT"
    assert vault.load("u1", "c2")[0].rehydrate("{{REDACTED:ip}}") == "10.0.0.8"
