"""`faultmaven` command line: serve the embedded API and run the offline tools."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Each module defines `register(subparsers)`, which adds its subcommand and sets `func(args) -> int`.
COMMAND_MODULES = (
    "local.commands.admin",
    "local.commands.doctor",
    "local.commands.integrations",
    "local.commands.kb",
    "local.commands.logs",
    "local.commands.portability",
    "local.commands.sanitize",
    "local.commands.serve",
)


def build_parser() -> argparse.ArgumentParser:
    from faultmaven import __version__

    parser = argparse.ArgumentParser(prog="faultmaven", description="FaultMaven troubleshooting copilot")
    parser.add_argument("--version", action="version", version=f"faultmaven {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`faultmaven logs analyze big.log | head`): that is the reader's choice, not an error.
        # Point stdout at /dev/null so the interpreter's own flush at exit does not fail a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
