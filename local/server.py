"""The embedded server: every function's routes in one ASGI app on one port, over SQLite and local files,
plus the dashboard's static files at /dashboard/, the API docs (/docs, /redoc) and a favicon, all served from
package files so that nothing needs the network."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
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
    "functions.knowledge.drafts",
    "functions.copilot.routes",
    "functions.portability.routes",
    "functions.integrations.routes",
    "functions.teams.routes",
)

# Plain HTML + ES modules + CSS, shipped as package data: nothing to build.
DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboard"
FAVICON = DASHBOARD_DIR / "favicon.ico"
DOCS_ASSETS = "/docs-assets"


def build_app(settings: Settings) -> FastAPI:
    routers = [importlib.import_module(name).router for name in FUNCTION_ROUTERS]
    app = create_app("FaultMaven (embedded)", routers, settings, docs_url=None)
    mount_api_docs(app)
    mount_dashboard(app)
    return app


def mount_api_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc with their scripts from the fastapi-offline package (MIT; it ships
    the swagger-ui-dist and redoc bundles), so the pages work on a machine without internet access."""
    import fastapi_offline

    app.mount(DOCS_ASSETS, StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - API docs",
                                   swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css", swagger_favicon_url="/favicon.ico")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc", with_google_fonts=False,
                              redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js", redoc_favicon_url="/favicon.ico")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(FAVICON, media_type="image/x-icon")


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard at /dashboard/ and send a browser that opens the bare server URL there."""

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/dashboard/", status_code=307)

    @app.get("/dashboard", include_in_schema=False)
    def dashboard_without_slash() -> RedirectResponse:
        return RedirectResponse("/dashboard/", status_code=307)

    app.mount("/dashboard", StaticFiles(directory=DASHBOARD_DIR, html=True, check_dir=False), name="dashboard")
