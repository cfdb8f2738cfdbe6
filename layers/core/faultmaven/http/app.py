"""Build a FastAPI app from routers (one function's, or every function's in the embedded server)."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI

from faultmaven import __version__
from faultmaven.http.errors import install_error_handlers
from faultmaven.http.middleware import RequestLimits, install_cors, install_request_id
from faultmaven.settings import Settings, get_settings

BODY_OVERHEAD_BYTES = 1024 * 1024


def create_app(title: str, routers: Iterable[APIRouter], settings: Settings | None = None, *,
               docs_url: str | None = "/docs") -> FastAPI:
    """`docs_url=None` leaves out FastAPI's Swagger UI page (which loads its assets from a CDN) for a caller that
    serves its own."""
    settings = settings or get_settings()
    app = FastAPI(title=title, version=__version__, docs_url=docs_url, redoc_url=None, openapi_url="/openapi.json")
    for router in routers:
        # The routers' own routes, as if declared on the app: `include_router` would wrap each router and analyse
        # every route a second time on the first request (FastAPI >= 0.160), which a Lambda's cold start pays. No
        # router here has a prefix, tags or dependencies of its own to merge.
        app.router.routes.extend(router.routes)
    install_error_handlers(app)
    # Bodies are limited to the largest upload plus room for multipart framing and form fields, while they stream.
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_file_bytes + BODY_OVERHEAD_BYTES)
    install_request_id(app)
    install_cors(app, settings)  # added last, so it wraps everything (errors included) and answers preflights
    return app
