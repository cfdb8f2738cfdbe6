"""The embedded server: every function's routes in one ASGI app on one port, over SQLite and local files,
plus the dashboard's static files at /dashboard/."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from faultmaven.http.app import create_app
from faultmaven.settings import Settings

# Each function's routes module exposes `router`; the order only matters for the OpenAPI listing.
FUNCTION_ROUTERS = (
    "functions.meta.routes",
    "functions.auth.routes",
    "functions.auth.sso",
    "functions.sessions.routes",
    "functions.cases.routes",
    "functions.evidence.routes",
    "functions.knowledge.routes",
    "functions.copilot.routes",
)

# Plain HTML + ES modules + CSS, shipped as package data: nothing to build.
DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboard"


def build_app(settings: Settings) -> FastAPI:
    routers = [importlib.import_module(name).router for name in FUNCTION_ROUTERS]
    app = create_app("FaultMaven (embedded)", routers, settings)
    mount_dashboard(app)
    return app


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard at /dashboard/ and send a browser that opens the bare server URL there."""

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/dashboard/", status_code=307)

    @app.get("/dashboard", include_in_schema=False)
    def dashboard_without_slash() -> RedirectResponse:
        return RedirectResponse("/dashboard/", status_code=307)

    app.mount("/dashboard", StaticFiles(directory=DASHBOARD_DIR, html=True, check_dir=False), name="dashboard")
