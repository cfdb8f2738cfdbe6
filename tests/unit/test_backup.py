"""Backup of the embedded data dir while a writer keeps adding (and deleting) cases and files; restore gives a
database that passes SQLite's integrity check and in which every file a record names exists."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from faultmaven.adapters.sqlite.db import SqliteDatabase
from faultmaven.auth.service import Principal
from faultmaven.container import Container
from faultmaven.copilot.vault import map_key
from faultmaven.errors import Conflict, InvalidInput
from faultmaven.portability.backup import backup, check, restore
from faultmaven.ports.cases import CaseQuery
from faultmaven.ports.users import UserRecord
from faultmaven.settings import Settings

ROUNDS = 5
SECRET_NOTE = "key AKIAIOSFODNN7EXAMPLE"  # a secret in each case, so each case has a sealed placeholder map


def _writer(container: Container, principal: Principal, stop: threading.Event, made: list[str]) -> None:
    """Cases with a log file each; every third case's file is deleted again (record first, then the blob)."""
    n = 0
    while not stop.is_set():
        n += 1
        case = container.case_service.create(principal.user_id, description=f"incident {n}: node-{n} {SECRET_NOTE}")
        record = container.evidence.attach(principal, case.case_id, f"node-{n}.log",
                                           f"2026-11-25 09:10:{n % 60:02d} ERROR disk full on node-{n}\n".encode())
        if n % 3 == 0:
            container.evidence.delete_file(principal.user_id, case.case_id, record.file_id)
        made.append(case.case_id)


def _consistent(data_dir: Path, user_id: str) -> tuple[int, int]:
    """(cases, files) of a restored data dir, after checking its integrity and that each file's blob exists."""
    db = SqliteDatabase(data_dir / "faultmaven.db")
    assert db.query_one("PRAGMA integrity_check")[0] == "ok"
    container = Container(Settings(mode="embedded", data_dir=data_dir))
    cases, total = container.cases.list(user_id, CaseQuery(limit=10_000))
    files = 0
    for case in cases:
        for record in container.evidence_files.list_for_case(user_id, case.case_id):
            assert container.blobs.exists(record.blob_key), record.blob_key
            assert container.blobs.get(record.blob_key).startswith(b"2026-11-25")
            files += 1
        assert container.blobs.exists(map_key(user_id, case.case_id))  # the sealed map came along
    return total, files


def test_backup_under_write_load_restores_consistently(container: Container, tmp_path: Path) -> None:
    user = UserRecord(user_id="user_ops", username="ops", email="ops@example.com", display_name="ops",
                      password_hash="$argon2id$fake", created_at="2026-01-01T00:00:00Z")
    container.users.create(user)
    principal = Principal(user_id=user.user_id, username=user.username, roles=("user",))
    stop, made = threading.Event(), []
    thread = threading.Thread(target=_writer, args=(container, principal, stop, made))
    thread.start()
    try:
        while len(made) < 10:  # some data before the first backup
            threading.Event().wait(0.01)
        reports = []
        for i in range(ROUNDS):
            reports.append(backup(container.settings.data_dir, tmp_path / f"backup-{i}"))
    finally:
        stop.set()
        thread.join()
    assert len(made) > reports[0].records["cases"]  # the writer kept writing while the backups ran
    for i, report in enumerate(reports):
        assert (tmp_path / f"backup-{i}" / "keys" / "redaction.key").is_file()
        check(tmp_path / f"backup-{i}")
        data_dir = tmp_path / f"restored-{i}"
        restore(tmp_path / f"backup-{i}", data_dir)
        cases, files = _consistent(data_dir, user.user_id)
        assert cases == report.records["cases"] >= 10 and files == report.records["evidence"] > 0


def test_a_file_deleted_after_the_snapshot_makes_the_backup_start_again(container: Container, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from faultmaven.portability import backup as module

    principal = Principal(user_id="u1", username="a", roles=("user",))
    container.users.create(UserRecord(user_id="u1", username="a", email="a@example.com", display_name="a",
                                      password_hash="x", created_at="2026-01-01T00:00:00Z"))
    case = container.case_service.create("u1", description=SECRET_NOTE)
    doomed = container.evidence.attach(principal, case.case_id, "a.log", b"2026-11-25 ERROR a\n")
    container.evidence.attach(principal, case.case_id, "b.log", b"2026-11-25 ERROR b\n")
    walk = module._referenced

    def delete_once_after_the_snapshot(data_dir: Path):  # the server deletes a file while the backup copies
        found = walk(data_dir)
        if container.evidence_files.get("u1", case.case_id, doomed.file_id) is not None:
            container.evidence.delete_file("u1", case.case_id, doomed.file_id)
        return found

    monkeypatch.setattr(module, "_referenced", delete_once_after_the_snapshot)
    lines: list[str] = []
    report = backup(container.settings.data_dir, tmp_path / "b", progress=lines.append)
    assert report.attempts == 2 and report.records["evidence"] == 1
    assert any("taking the snapshot again" in line for line in lines)
    assert _consistent_after_restore(tmp_path, "u1") == (1, 1)


def _consistent_after_restore(tmp_path: Path, user_id: str) -> tuple[int, int]:
    restore(tmp_path / "b", tmp_path / "restored")
    return _consistent(tmp_path / "restored", user_id)


def test_restore_keeps_an_existing_data_dir_aside_only_when_forced(container: Container, tmp_path: Path) -> None:
    container.users.create(UserRecord(user_id="u1", username="a", email="a@example.com", display_name="a",
                                      password_hash="x", created_at="2026-01-01T00:00:00Z"))
    backup(container.settings.data_dir, tmp_path / "b")
    target = tmp_path / "live"
    target.mkdir()
    (target / "faultmaven.db").write_bytes(b"old")
    with pytest.raises(Conflict, match="--force"):
        restore(tmp_path / "b", target)
    kept = restore(tmp_path / "b", target, force=True)
    assert kept is not None and (kept / "faultmaven.db").read_bytes() == b"old"
    assert Container(Settings(mode="embedded", data_dir=target)).users.get("u1").username == "a"


def test_damaged_backups_are_refused(container: Container, tmp_path: Path) -> None:
    principal = Principal(user_id="u1", username="a", roles=("user",))
    container.users.create(UserRecord(user_id="u1", username="a", email="a@example.com", display_name="a",
                                      password_hash="x", created_at="2026-01-01T00:00:00Z"))
    case = container.case_service.create("u1", description="x")
    record = container.evidence.attach(principal, case.case_id, "a.log", b"2026-11-25 ERROR x\n")
    backup(container.settings.data_dir, tmp_path / "b")
    (tmp_path / "b" / "blobs" / record.blob_key).unlink()
    with pytest.raises(InvalidInput, match="lacks 1 file"):
        restore(tmp_path / "b", tmp_path / "target")
    assert not (tmp_path / "target").exists()
    with pytest.raises(InvalidInput, match="not a FaultMaven backup"):
        check(tmp_path)
    with pytest.raises(InvalidInput, match="not empty"):
        backup(container.settings.data_dir, tmp_path / "b")
