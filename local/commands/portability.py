"""`faultmaven export|import|backup|restore`: move data between deployments, and back up the embedded data dir.

export/import run where the data is: on an embedded data dir (`--data-dir`), or with the cloud's settings in the
environment (`FM_MODE=aws FM_TABLE_PREFIX=... FM_EVIDENCE_BUCKET=...` and credentials), like `faultmaven admin`.
backup/restore are for the embedded data dir only (the cloud has DynamoDB point-in-time recovery and S3 versioning).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DATA_DIR_HELP = "the embedded data dir (default .fm-data or FM_DATA_DIR); with FM_MODE=aws the cloud named by the " \
                "environment is used"


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="write every user, case, file and KB document into a bundle "
                                                  "(a directory, or a .tar.gz)")
    export.add_argument("bundle", type=Path, help="a new directory, or a path ending in .tar.gz")
    export.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    export.set_defaults(func=run_export)

    load = subparsers.add_parser("import", help="load a bundle (checked first; safe to run twice)")
    load.add_argument("bundle", type=Path)
    load.add_argument("--data-dir", type=Path, default=None, help=DATA_DIR_HELP)
    load.set_defaults(func=run_import)

    backup = subparsers.add_parser("backup", help="copy the embedded data dir, safe while the server runs")
    backup.add_argument("dest", type=Path, help="a new (or empty) directory")
    backup.add_argument("--data-dir", type=Path, default=None, help="the embedded data dir (default .fm-data or "
                                                                      "FM_DATA_DIR)")
    backup.set_defaults(func=run_backup)

    restore = subparsers.add_parser("restore", help="make a backup the embedded data dir (stop the server first)")
    restore.add_argument("src", type=Path, help="a directory written by `faultmaven backup`")
    restore.add_argument("--data-dir", type=Path, default=None, help="the embedded data dir (default .fm-data or "
                                                                       "FM_DATA_DIR)")
    restore.add_argument("--force", action="store_true", help="replace an existing data dir (it is kept aside, "
                                                              "renamed)")
    restore.set_defaults(func=run_restore)


def _settings(args: argparse.Namespace) -> Any:
    from faultmaven.settings import Settings

    return Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _fail(exc: Exception) -> int:
    print(f"error: {getattr(exc, 'detail', exc)}", file=sys.stderr)
    return 1


def run_export(args: argparse.Namespace) -> int:
    from faultmaven.container import Container
    from faultmaven.errors import DomainError
    from faultmaven.portability.transfer import export_bundle

    settings = _settings(args)
    try:
        manifest = export_bundle(Container(settings), args.bundle, mode=settings.mode, progress=_say)
    except DomainError as exc:
        return _fail(exc)
    print(f"exported {json.dumps(manifest.counts)} and {sum(p.startswith('blobs/') for p in manifest.files)} "
          f"file(s) to {args.bundle}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from faultmaven.container import Container
    from faultmaven.errors import DomainError
    from faultmaven.portability.transfer import import_bundle

    try:
        report = import_bundle(Container(_settings(args)), args.bundle, progress=_say)
    except DomainError as exc:
        return _fail(exc)
    print(json.dumps(report.as_dict(), indent=2))
    return 1 if report.documents_not_indexed else 0


def run_backup(args: argparse.Namespace) -> int:
    from faultmaven.errors import DomainError
    from faultmaven.portability.backup import backup

    try:
        report = backup(_settings(args).data_dir, args.dest, progress=_say)
    except DomainError as exc:
        return _fail(exc)
    print(f"backed up {json.dumps(report.records)} and {report.blobs} file(s) to {report.path}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from faultmaven.errors import DomainError
    from faultmaven.portability.backup import restore

    data_dir = _settings(args).data_dir
    try:
        restore(args.src, data_dir, force=args.force, progress=_say)
    except DomainError as exc:
        return _fail(exc)
    print(f"restored {args.src} into {data_dir}")
    return 0
