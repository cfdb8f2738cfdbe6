"""`faultmaven serve`: run the embedded server (SQLite + files under the data dir, no cloud, no Docker).

The port is bound before anything is announced, so "listening" is true when it is printed, and a port that is taken
is one clear line and exit status 1 (no traceback)."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from pathlib import Path

LOG_LEVELS = ("debug", "info", "warning", "error")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="run the embedded API server (default http://127.0.0.1:8090)")
    p.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1, or FM_HOST)")
    p.add_argument("--port", type=int, default=None, help="port (default 8090, the extension's standalone preset)")
    p.add_argument("--data-dir", type=Path, default=None, help="where the SQLite file and blobs live (.fm-data)")
    p.add_argument("--log-level", choices=LOG_LEVELS, default=None,
                   help="info (default, or FM_LOG_LEVEL): one JSON access-log line per request; warning hides them")
    p.set_defaults(func=run)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; SystemExit(1) with a plain message when that is impossible."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The protocol must be named: asyncio turns Nagle's algorithm off only on sockets whose `proto` is TCP, and an
    # accepted connection inherits it. With proto 0 every keep-alive response waited ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait out TIME_WAIT
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            reason = (f"port {port} on {host} is already in use (another FaultMaven, or another program); "
                      "stop it or choose another port with --port")
        else:
            reason = f"cannot listen on {host}:{port}: {error.strerror or error}"
        print(f"faultmaven serve: {reason}", file=sys.stderr)
        raise SystemExit(1) from None
    return sock


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from faultmaven.container import Container, set_container
    from faultmaven.http.logging import logger
    from faultmaven.settings import Settings
    from local.server import build_app

    overrides: dict[str, object] = {"mode": "embedded"}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    if args.log_level:
        overrides["log_level"] = args.log_level.upper()
    settings = Settings(**overrides)
    level = settings.log_level.lower()
    logger.setLevel(settings.log_level.upper())
    sock = bind(settings.host, settings.port)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    container = Container(settings)
    set_container(container)
    container.token_issuer  # noqa: B018 - create the signing key now, not on the first sign-in
    app = build_app(settings)
    print(f"FaultMaven embedded server listening on {settings.effective_public_url}", flush=True)
    print(f"  data dir: {settings.data_dir.resolve()}", flush=True)
    print(f"  API docs: {settings.effective_public_url}/docs", flush=True)
    print(f"  log level: {level} (one JSON line per request at info)", flush=True)
    # Our access log replaces uvicorn's; uvicorn itself only speaks up for warnings and worse.
    config = uvicorn.Config(app, log_level="warning" if level in ("debug", "info") else level, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
