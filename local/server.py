"""The embedded server: every function's routes in one ASGI app on one port, over SQLite and local files."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from faultmaven.http.app import create_app
from faultmaven.settings import Settings

# Each function's routes module exposes `router`; the order only matters for the OpenAPI listing.
FUNCTION_ROUTERS = (
    "functions.meta.routes",
    "functions.auth.routes",
    "functions.sessions.routes",
    "functions.cases.routes",
    "functions.evidence.routes",
    "functions.knowledge.routes",
    "functions.copilot.routes",
)


def build_app(settings: Settings) -> FastAPI:
    routers = [importlib.import_module(name).router for name in FUNCTION_ROUTERS]
    return create_app("FaultMaven (embedded)", routers, settings)
