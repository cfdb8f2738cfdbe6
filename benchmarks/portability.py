"""Portability benchmark: how long backup, export and import take on an embedded data dir of a given size.

    .venv/bin/python benchmarks/portability.py [--users 4] [--cases 100]

The data is made through the services (each case with a description holding a secret, so it gets a sealed
placeholder map, and one log file). Knowledge documents are left out: importing one is indexing it again, timed by
the embedder, not by this code. Each time is also given as a ratio to a plain recursive copy of the same data dir
in the same run (not a consistent copy of a live server: the floor a file copy sets), so a slower machine does not
move the ratios much.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "portability.md"
sys.path[:0] = [str(ROOT / "layers" / "core"), str(ROOT)]

from benchmarks.results_file import write_results  # noqa: E402
from faultmaven.auth.service import Principal  # noqa: E402
from faultmaven.container import Container  # noqa: E402
from faultmaven.ports.users import UserRecord  # noqa: E402
from faultmaven.settings import Settings  # noqa: E402


def _fill(data_dir: Path, users: int, cases: int) -> Container:
    container = Container(Settings(mode="embedded", data_dir=data_dir))
    for u in range(users):
        uid = f"user_bench{u}"
        container.users.create(UserRecord(user_id=uid, username=f"bench{u}", email=f"b{u}@example.com",
                                          display_name=f"bench {u}", password_hash="x",
                                          created_at="2026-01-01T00:00:00Z"))
        principal = Principal(user_id=uid, username=f"bench{u}", roles=("user",))
        for c in range(cases):
            case = container.case_service.create(uid, description=f"case {c}: api 503, key AKIAIOSFODNN7EXAMPL{c % 10}")
            log = "".join(f"2026-11-25 09:{m:02d}:00 ERROR pool exhausted on db-{c} after {m} ms\n" for m in range(60))
            container.evidence.attach(principal, case.case_id, f"api-{c}.log", log.encode())
    return container


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--cases", type=int, default=100, help="cases per user, one file each")
    args = parser.parse_args()

    from faultmaven.portability.backup import backup
    from faultmaven.portability.transfer import export_bundle, import_bundle

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = _fill(root / "data", args.users, args.cases)
        copy_s, _ = _timed(lambda: shutil.copytree(root / "data", root / "plain-copy"))
        backup_s, _ = _timed(lambda: backup(root / "data", root / "backup"))
        export_s, manifest = _timed(lambda: export_bundle(source, root / "bundle.tar.gz", mode="embedded"))
        target = Container(Settings(mode="embedded", data_dir=root / "target"))
        import_s, _ = _timed(lambda: import_bundle(target, root / "bundle.tar.gz"))
        again_s, _ = _timed(lambda: import_bundle(target, root / "bundle.tar.gz"))
        size = (root / "bundle.tar.gz").stat().st_size
    records = sum(manifest.counts.values())
    files = sum(path.startswith("blobs/") for path in manifest.files)

    lines = ["# Portability: backup, export, import (embedded)", "",
             f"Data: {args.users} users x {args.cases} cases with a log file each: records {manifest.counts}, "
             f"{files} files (logs and sealed maps); bundle {size / 1e6:.2f} MB.",
             "Timings from one run on a shared machine; other work on it moves them, the ratios less.", "",
             "| step | seconds | vs plain copy |", "|---|---:|---:|"]
    for name, seconds in (("plain recursive copy (baseline)", copy_s), ("backup (online, consistent)", backup_s),
                          ("export to .tar.gz", export_s), ("import into an empty data dir", import_s),
                          ("import again (nothing to write)", again_s)):
        lines.append(f"| {name} | {seconds:.2f} | {seconds / copy_s:.1f}x |")
    lines += ["", f"Import: {records / import_s:.0f} records/s ({records} records, each in its own transaction, "
              "its files written first)."]
    print("\n".join(lines))
    return write_results(RESULT, lines)


if __name__ == "__main__":
    sys.exit(main())
