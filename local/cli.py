"""`faultmaven` command line: serve the embedded API and run the offline tools."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module defines `register(subparsers)`, which adds its subcommand and sets `func(args) -> int`.
COMMAND_MODULES = (
    "local.commands.admin",
    "local.commands.kb",
    "local.commands.logs",
    "local.commands.sanitize",
    "local.commands.serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faultmaven", description="FaultMaven troubleshooting copilot")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
