"""`faultmaven integrations`: create, list, rotate and delete alert integrations, and list undelivered
notifications (dead letters). Run where the data is, like `faultmaven admin` (the embedded data dir, or the cloud's
tables named by the environment with FM_MODE=aws)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

KINDS = ("alertmanager", "pagerduty", "generic")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("integrations", help="alert webhook integrations and undelivered notifications")
    commands = parser.add_subparsers(dest="integrations_command", required=True)
    create = commands.add_parser("create", help="a new integration; prints its id, webhook path and secret")
    create.add_argument("kind", choices=KINDS)
    create.add_argument("--owner", required=True, help="the username whose cases its alerts open")
    create.add_argument("--name", default="")
    create.add_argument("--secret-stdin", action="store_true",
                        help="read the sender's own signing secret from stdin (PagerDuty's subscription secret)")
    create.set_defaults(func=run_create)
    commands.add_parser("list", help="every integration (without secrets)").set_defaults(func=run_list)
    rotate = commands.add_parser("rotate", help="a new secret for an integration (the old one stops working)")
    rotate.add_argument("integration_id")
    rotate.add_argument("--secret-stdin", action="store_true", help="read the sender's new secret from stdin")
    rotate.set_defaults(func=run_rotate)
    delete = commands.add_parser("delete", help="remove an integration")
    delete.add_argument("integration_id")
    delete.set_defaults(func=run_delete)
    dead = commands.add_parser("dead-letters", help="notifications that were never delivered, newest first")
    dead.add_argument("--limit", type=int, default=100)
    dead.set_defaults(func=run_dead_letters)
    for command in (create, rotate, delete, dead, commands.choices["list"]):
        command.add_argument("--data-dir", type=Path, default=None, help="the embedded data dir (default .fm-data "
                             "or FM_DATA_DIR); with FM_MODE=aws the tables named by the environment are used")


def _container(args: argparse.Namespace) -> Any:
    from faultmaven.container import Container
    from faultmaven.settings import Settings

    return Container(Settings(**({"data_dir": args.data_dir} if args.data_dir else {})))


def _show(record: Any, with_secret: bool) -> None:
    from faultmaven.integrations.registry import webhook_path

    view = {"integration_id": record.integration_id, "kind": record.kind, "name": record.name,
            "owner_id": record.owner_id, "webhook_path": webhook_path(record)}
    if with_secret:
        view["secret"] = record.secret
    print(json.dumps(view))


def _guarded(action: Any) -> int:
    from faultmaven.errors import DomainError

    try:
        action()
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    return 0


def _given_secret(args: argparse.Namespace) -> str | None:
    return sys.stdin.readline().strip() if args.secret_stdin else None


def run_create(args: argparse.Namespace) -> int:
    registry = _container(args).integrations
    secret = _given_secret(args)
    return _guarded(lambda: _show(registry.create(args.kind, args.owner, args.name, secret), with_secret=True))


def run_list(args: argparse.Namespace) -> int:
    for record in _container(args).integrations.list():
        _show(record, with_secret=False)
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    registry = _container(args).integrations
    secret = _given_secret(args)
    return _guarded(lambda: _show(registry.rotate(args.integration_id, secret), with_secret=True))


def run_delete(args: argparse.Namespace) -> int:
    registry = _container(args).integrations
    return _guarded(lambda: registry.delete(args.integration_id))


def run_dead_letters(args: argparse.Namespace) -> int:
    for letter in _container(args).integration_store.dead_letters(max(1, args.limit)):
        print(letter.model_dump_json())
    return 0
