"""Subcommands of `faultmaven`; each module exposes `register(subparsers)`."""
