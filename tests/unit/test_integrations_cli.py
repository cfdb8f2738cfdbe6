"""`faultmaven integrations`: create (generated or given secret), list without secrets, rotate, delete, and the
dead letters, on an embedded data dir."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from faultmaven.container import Container
from faultmaven.ports.integrations import DeadLetter
from faultmaven.settings import Settings
from local.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_integrations_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = str(tmp_path / "data")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    assert main(["admin", "create", "alice", "--data-dir", data]) == 0
    capsys.readouterr()

    code, out, _ = _run(capsys, "integrations", "create", "alertmanager", "--owner", "alice", "--name", "prod",
                        "--data-dir", data)
    created = json.loads(out)
    assert code == 0 and created["kind"] == "alertmanager" and len(created["secret"]) >= 32
    assert created["webhook_path"] == f"/api/v1/webhooks/alertmanager?integration={created['integration_id']}"

    monkeypatch.setattr("sys.stdin", io.StringIO("pd-subscription-secret-0123456789\n"))
    code, out, _ = _run(capsys, "integrations", "create", "pagerduty", "--owner", "alice", "--secret-stdin",
                        "--data-dir", data)
    assert code == 0 and json.loads(out)["secret"] == "pd-subscription-secret-0123456789"

    code, out, _ = _run(capsys, "integrations", "list", "--data-dir", data)
    assert code == 0 and len(out.splitlines()) == 2 and created["secret"] not in out and "secret" not in out

    code, out, _ = _run(capsys, "integrations", "rotate", created["integration_id"], "--data-dir", data)
    assert code == 0 and json.loads(out)["secret"] != created["secret"]

    code, _, err = _run(capsys, "integrations", "create", "generic", "--owner", "nobody", "--data-dir", data)
    assert code == 1 and "no user named" in err
    assert _run(capsys, "integrations", "delete", created["integration_id"], "--data-dir", data)[0] == 0
    code, _, err = _run(capsys, "integrations", "delete", created["integration_id"], "--data-dir", data)
    assert code == 1 and "not found" in err

    Container(Settings(data_dir=Path(data))).integration_store.add_dead_letter(DeadLetter(
        letter_id="dl_1", scope_id="u1", channel="slack", event="opened", error="HTTP 500", attempts=4,
        created_at="2026-12-05T05:00:00.000000Z"))
    code, out, _ = _run(capsys, "integrations", "dead-letters", "--data-dir", data)
    assert code == 0 and json.loads(out)["letter_id"] == "dl_1"
