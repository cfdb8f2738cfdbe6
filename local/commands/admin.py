"""`faultmaven admin`: make the first admin, grant the role, invite, unlock a throttled account.

Run where the data is: on the embedded server's data dir, or with the cloud's settings in the environment
(`FM_MODE=aws FM_TABLE_PREFIX=... AWS_REGION=...` and credentials that may write the users table), which is the
one-shot way to make the first admin of a cloud deploy whose registration is closed. Having the store is full trust;
the admin role is never given by choosing a username at sign-up.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    admin = subparsers.add_parser("admin", help="admin accounts, invitations, unlocking sign-ins")
    commands = admin.add_subparsers(dest="admin_command", required=True)

    # name, help, takes a username, runner
    for name, text, named, func in (
            ("create", "create an admin account (password read from stdin or a prompt)", True, run_create),
            ("grant", "give an existing account the admin role", True, run_grant),
            ("invite", "print a one-use sign-up code (registration policy `invite`)", False, run_invite),
            ("unlock", "end an account's sign-in delays", True, run_unlock)):
        command = commands.add_parser(name, help=text)
        if named:
            command.add_argument("username")
        if name == "create":
            command.add_argument("--email", default=None)
        command.add_argument("--data-dir", type=Path, default=None, help="the embedded data dir (default .fm-data "
                             "or FM_DATA_DIR); with FM_MODE=aws the tables named by the environment are used")
        command.set_defaults(func=func)


def _auth(args: argparse.Namespace) -> Any:
    from faultmaven.container import Container
    from faultmaven.settings import Settings

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    return Container(settings).auth


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if first != getpass.getpass("again: "):
            raise SystemExit("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _fail(exc: Exception) -> int:
    print(f"error: {getattr(exc, 'detail', exc)}", file=sys.stderr)
    return 1


def run_create(args: argparse.Namespace) -> int:
    from faultmaven.errors import DomainError

    try:
        user = _auth(args).create_user(args.username, _read_password(), args.email, None, roles=("user", "admin"))
    except DomainError as exc:
        return _fail(exc)
    print(f"created admin {user.username} ({user.user_id})")
    return 0


def run_grant(args: argparse.Namespace) -> int:
    from faultmaven.errors import DomainError

    try:
        user = _auth(args).grant_admin(args.username)
    except DomainError as exc:
        return _fail(exc)
    print(f"{user.username} is an admin")
    return 0


def run_invite(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from faultmaven.auth.service import Principal
    from faultmaven.clock import iso

    code, expires_at = _auth(args).invite(Principal(user_id="cli", username="cli", roles=("admin",)))
    print(code)
    print(f"valid until {iso(datetime.fromtimestamp(expires_at, UTC))}", file=sys.stderr)
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    _auth(args).unlock(args.username)
    print(f"sign-in delays of {args.username.strip().lower()} ended")
    return 0
