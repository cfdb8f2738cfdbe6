"""Every setting is documented: the configuration table names each `FM_*` variable the code reads."""

from __future__ import annotations

from pathlib import Path

from faultmaven.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "CONFIGURATION.md"


def test_every_setting_is_in_the_configuration_table() -> None:
    text = DOC.read_text()
    missing = [f"FM_{name.upper()}" for name in Settings.model_fields if f"FM_{name.upper()}" not in text]
    assert missing == []
