"""`faultmaven serve`: run the embedded server (SQLite + files under the data dir, no cloud, no Docker)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="run the embedded API server (default http://127.0.0.1:8090)")
    p.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1, or FM_HOST)")
    p.add_argument("--port", type=int, default=None, help="port (default 8090, the extension's standalone preset)")
    p.add_argument("--data-dir", type=Path, default=None, help="where the SQLite file and blobs live (.fm-data)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from faultmaven.container import Container, set_container
    from faultmaven.settings import Settings
    from local.server import build_app

    overrides: dict[str, object] = {"mode": "embedded"}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    settings = Settings(**overrides)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    container = Container(settings)
    set_container(container)
    container.token_issuer  # noqa: B018 - create the signing key now, not on the first sign-in
    app = build_app(settings)
    print(f"FaultMaven embedded server listening on {settings.effective_public_url}", flush=True)
    print(f"  data dir: {settings.data_dir.resolve()}", flush=True)
    print(f"  API docs: {settings.effective_public_url}/docs", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0
