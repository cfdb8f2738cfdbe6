"""`faultmaven export|import|backup|restore` on embedded data dirs: exit codes, progress on stderr, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faultmaven.auth.service import Principal
from faultmaven.container import Container
from faultmaven.ports.users import UserRecord
from faultmaven.settings import Settings
from local.cli import main


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    container = Container(Settings(mode="embedded", data_dir=tmp_path / "data"))
    container.users.create(UserRecord(user_id="u1", username="ops", email="ops@example.com", display_name="ops",
                                      password_hash="x", created_at="2026-01-01T00:00:00Z"))
    case = container.case_service.create("u1", description="disk full on node-3")
    container.evidence.attach(Principal(user_id="u1", username="ops", roles=("user",)), case.case_id, "node.log",
                              b"2026-11-25 09:10:00 ERROR disk full\n")
    return tmp_path / "data"


def test_export_then_import_twice(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = str(tmp_path / "out.tar.gz")
    assert main(["export", bundle, "--data-dir", str(data_dir)]) == 0
    out, err = capsys.readouterr()
    assert '"cases": 1' in out and '"evidence": 1' in out and "cases: 1" in err
    target = str(tmp_path / "target")
    assert main(["import", bundle, "--data-dir", target]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["written"] == {"users": 1, "sessions": 0, "cases": 1, "messages": 0, "evidence": 1, "documents": 0,
                                "orgs": 0, "org_members": 0, "teams": 0, "team_members": 0, "case_shares": 0,
                                "audit": 0}
    assert main(["import", bundle, "--data-dir", target]) == 0
    second = json.loads(capsys.readouterr().out)
    assert sum(second["written"].values()) == 0 and second["unchanged"]["evidence"] == 1
    assert main(["export", bundle, "--data-dir", str(data_dir)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_a_tampered_bundle_fails_with_a_message(data_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "bundle"
    assert main(["export", str(bundle), "--data-dir", str(data_dir)]) == 0
    users = bundle / "entities" / "users.jsonl"
    users.write_text(users.read_text().replace('"ops"', '"root"'))
    capsys.readouterr()
    assert main(["import", str(bundle), "--data-dir", str(tmp_path / "target")]) == 1
    assert "bundle refused: the checksum of entities/users.jsonl does not match" in capsys.readouterr().err
    assert not (tmp_path / "target" / "blobs").exists()


def test_backup_and_restore(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", str(tmp_path / "b"), "--data-dir", str(data_dir)]) == 0
    assert '"evidence": 1' in capsys.readouterr().out
    # a backup is a data dir: exporting it gives the server's data as of the backup's instant
    assert main(["export", str(tmp_path / "snap.tar.gz"), "--data-dir", str(tmp_path / "b")]) == 0
    assert '"cases": 1' in capsys.readouterr().out
    assert main(["restore", str(tmp_path / "b"), "--data-dir", str(data_dir)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "b"), "--data-dir", str(data_dir), "--force"]) == 0
    restored = Container(Settings(mode="embedded", data_dir=data_dir))
    assert restored.users.get("u1").username == "ops"
    assert len(list(tmp_path.glob("data.before-restore-*"))) == 1
