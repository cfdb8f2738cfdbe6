"""`faultmaven sanitize FILE|-`: print the redacted text (line for line) on stdout, counts per label on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sanitize", help="redact secrets and personal data from a file or stdin")
    p.add_argument("source", help="a file path, or - for stdin")
    p.add_argument("--private-ips", action="store_true", help="also redact private/internal IP addresses")
    p.add_argument("--allow", action="append", default=[], metavar="VALUE",
                   help="never redact this value (repeatable; 're:<regex>' for a pattern)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from faultmaven.sanitize import Sanitizer
    from faultmaven.settings import Settings

    settings = Settings()
    sanitizer = Sanitizer(
        allowlist=[*settings.sanitize_allowlist, *args.allow],
        extra_patterns=settings.sanitize_extra_patterns,
        redact_private_ips=args.private_ips or settings.sanitize_redact_private_ips,
    )
    if args.source == "-":
        raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    else:
        path = Path(args.source)
        if not path.is_file():
            print(f"sanitize: no such file: {args.source}", file=sys.stderr)
            return 2
        raw = path.read_bytes()
    # surrogateescape keeps bytes that are not UTF-8 exactly as they were, so untouched lines stay byte-identical.
    result = sanitizer.sanitize(raw.decode("utf-8", errors="surrogateescape"))
    out = result.text.encode("utf-8", errors="surrogateescape")
    sys.stdout.flush()
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    counts = " ".join(f"{label}={n}" for label, n in sorted(result.summary.items()))
    total = sum(result.summary.values())
    print(f"sanitize: {total} redacted" + (f": {counts}" if counts else ""), file=sys.stderr)
    return 0
