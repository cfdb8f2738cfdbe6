"""Backup and restore of the embedded data dir, safe while the server runs.

Order, and why it is consistent:
1. The database is copied with SQLite's online backup API in one step: a read transaction over the WAL, so the copy
   is the database as of one instant while the server keeps writing beside it.
2. Then the blobs that the copy's records name (evidence files, KB uploads and their text, sealed placeholder maps)
   are copied, found by walking the copy through the same entity kinds as export. The server writes a blob before
   the record that names it, so every blob a snapshot row names existed when the snapshot was taken.
3. The server deletes the record before its blob, so a blob may vanish between steps 1 and 2 (its record was
   deleted after the snapshot). Then the snapshot is taken again; after a few tries the backup fails rather than
   write a copy that names a missing file. A blob rewritten in between (a placeholder map, which only grows) is
   copied in its newer, larger form.
4. The keys dir (the JWT signing key and the redaction key that opens the sealed maps) is copied last.
Blobs no record names (an upload whose record was never written) are left out on purpose.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from faultmaven.clock import iso, now
from faultmaven.errors import Conflict, InvalidInput, NotFound, Unavailable

DATABASE = "faultmaven.db"
BLOBS = "blobs"
KEYS = "keys"
MARKER = "backup.json"
ATTEMPTS = 5

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class BackupReport:
    path: Path
    attempts: int
    records: dict[str, int]
    blobs: int


def _open(data_dir: Path):  # -> Container; imported lazily: the CLI stays light until a command runs
    from faultmaven.container import Container
    from faultmaven.settings import Settings

    return Container(Settings(mode="embedded", data_dir=data_dir))


def _referenced(data_dir: Path) -> tuple[dict[str, int], list[tuple[str, bool]]]:
    """Records per kind in the data dir's database, and every blob key they name (with: is it required)."""
    from faultmaven.portability.kinds import walk_kinds

    container = _open(data_dir)
    counts: dict[str, int] = {}
    keys: list[tuple[str, bool]] = []
    try:
        for kind, items in walk_kinds(container):
            counts[kind.name] = 0
            for item in items:
                keys.extend((ref.key, ref.required) for ref in item.blobs)
                counts[kind.name] += 1
    finally:
        container.db.connection().close()
    return counts, keys


def _snapshot_database(source: Path, target: Path) -> None:
    from faultmaven.adapters.sqlite.db import SqliteDatabase

    live = SqliteDatabase(source).connection()
    copy = SqliteDatabase(target).connection()
    try:
        live.backup(copy)  # all pages in one step: one consistent read of the live database
        copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        copy.close()
        live.close()


def _clear(dest: Path) -> None:
    for child in dest.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def backup(data_dir: Path, dest: Path, *, progress: Progress = _quiet) -> BackupReport:
    """Copy the embedded data dir's database, the blobs its records name, and its keys into `dest` (new or empty)."""
    from faultmaven.adapters.files.blobs import FilesystemBlobStore

    if not (data_dir / DATABASE).is_file():
        raise InvalidInput(f"no FaultMaven database in {data_dir}", code="NO_DATA_DIR")
    if dest.exists() and any(dest.iterdir()):
        raise InvalidInput(f"{dest} is not empty; back up into a new directory", code="BACKUP_EXISTS")
    dest.mkdir(parents=True, exist_ok=True)
    live = FilesystemBlobStore(data_dir / BLOBS)
    copy = FilesystemBlobStore(dest / BLOBS)
    for attempt in range(1, ATTEMPTS + 1):  # noqa: B007 - the number of tries is reported after the loop
        _snapshot_database(data_dir / DATABASE, dest / DATABASE)
        counts, keys = _referenced(dest)
        progress(f"database copied ({sum(counts.values())} records); copying {len(keys)} file(s)")
        vanished = 0
        for n, (key, required) in enumerate(keys, 1):
            if n % 500 == 0:
                progress(f"files: {n}/{len(keys)}…")
            try:
                copy.put(key, live.get(key), "application/octet-stream")
            except NotFound:  # deleted after the snapshot (or never there, for an optional file)
                vanished += required
        if not vanished:
            break
        progress(f"{vanished} file(s) were deleted while copying; taking the snapshot again")
        _clear(dest)
    else:
        shutil.rmtree(dest, ignore_errors=True)
        raise Unavailable(f"files kept changing under the backup after {ATTEMPTS} tries; try again later",
                          code="BACKUP_UNSTABLE")
    if (data_dir / KEYS).is_dir():
        shutil.copytree(data_dir / KEYS, dest / KEYS)
    blobs = sum(1 for p in (dest / BLOBS).rglob("*") if p.is_file()) if (dest / BLOBS).exists() else 0
    (dest / MARKER).write_text(json.dumps({"created_at": iso(now()), "source": str(data_dir.resolve()),
                                           "records": counts, "blobs": blobs}, indent=2))
    return BackupReport(dest, attempt, counts, blobs)


def check(backup_dir: Path) -> dict[str, int]:
    """Records per kind of a backup, after proving it whole: SQLite's integrity check passes and every file a record
    needs is there. Raises `InvalidInput` otherwise."""
    from faultmaven.adapters.sqlite.db import SqliteDatabase

    if not (backup_dir / MARKER).is_file() or not (backup_dir / DATABASE).is_file():
        raise InvalidInput(f"{backup_dir} is not a FaultMaven backup (no {MARKER} or {DATABASE})",
                           code="NOT_A_BACKUP")
    db = SqliteDatabase(backup_dir / DATABASE)
    try:
        verdict = db.query_one("PRAGMA integrity_check")[0]
    finally:
        db.connection().close()
    if verdict != "ok":
        raise InvalidInput(f"the backup's database is damaged: {verdict}", code="BACKUP_DAMAGED")
    counts, keys = _referenced(backup_dir)
    missing = [key for key, required in keys if required and not (backup_dir / BLOBS / key).is_file()]
    if missing:
        raise InvalidInput(f"the backup lacks {len(missing)} file(s) its records need, e.g. {missing[0]}",
                           code="BACKUP_DAMAGED")
    return counts


def restore(backup_dir: Path, data_dir: Path, *, force: bool = False, progress: Progress = _quiet) -> Path | None:
    """Make `data_dir` the backup's data. Run it with the server stopped. An existing data dir is kept aside
    (renamed, returned) and only with `force`; without it a data dir holding a database is refused."""
    counts = check(backup_dir)
    progress(f"backup verified: {sum(counts.values())} records")
    kept: Path | None = None
    if data_dir.exists() and any(data_dir.iterdir()):
        if not force:
            raise Conflict(f"{data_dir} already holds data; stop the server and pass --force to replace it (the old "
                           "data dir is kept beside it)", code="DATA_DIR_IN_USE")
        kept = data_dir.with_name(f"{data_dir.name}.before-restore-{now().strftime('%Y%m%dT%H%M%S')}")
        data_dir.rename(kept)
    staging = data_dir.with_name(f".{data_dir.name}.restoring")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(backup_dir, staging, ignore=shutil.ignore_patterns(MARKER))
    staging.rename(data_dir)  # the data dir appears whole or not at all
    progress(f"restored into {data_dir}" + (f"; the previous data is in {kept}" if kept else ""))
    return kept
