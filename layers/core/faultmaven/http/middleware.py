"""Request ids and CORS.

CORS follows the clients' contract: browser-extension origins (their ids differ per install) and the configured web
origins are reflected, never `*`, with credentials allowed; `Location` and `Retry-After` are exposed so the extension
can poll a 202 turn and back off on 429.
"""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.middleware.base import RequestResponseEndpoint
from starlette.middleware.cors import CORSMiddleware

from faultmaven.http.logging import logger
from faultmaven.settings import Settings

EXTENSION_ORIGIN_RE = r"(chrome-extension|moz-extension|safari-web-extension)://[A-Za-z0-9._-]+"
ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Session-Id", "Idempotency-Key", "X-Request-Id", "If-Match",
                   "X-Expected-Version"]
EXPOSED_HEADERS = ["Location", "Retry-After", "X-Request-Id", "X-Expected-Version", "X-Actual-Version"]
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _origin(url: str) -> str:
    match = re.match(r"^(https?://[^/]+)", url)
    return match.group(1) if match else url


def install_cors(app: FastAPI, settings: Settings) -> None:
    origins = {_origin(o) for o in settings.cors_origins}
    origins |= {_origin(settings.effective_public_url), _origin(settings.effective_dashboard_url)}
    app.add_middleware(CORSMiddleware, allow_origins=sorted(origins), allow_origin_regex=EXTENSION_ORIGIN_RE,
                       allow_credentials=True, allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                       allow_headers=ALLOWED_HEADERS, expose_headers=EXPOSED_HEADERS, max_age=600)


MAX_URL_BYTES = 8192  # path + query: bounds every id and filter a client can put in a URL, on every route


def install_url_limit(app: FastAPI) -> None:
    """414 for an over-long URL before any route parses it (API Gateway's own limit is about 10 KB)."""

    @app.middleware("http")
    async def url_limit(request: Request, call_next: RequestResponseEndpoint) -> Response:
        size = len(request.scope.get("raw_path") or request.url.path.encode()) + len(request.scope["query_string"])
        if size > MAX_URL_BYTES:
            return JSONResponse({"detail": f"the URL is longer than {MAX_URL_BYTES} bytes", "code": "URI_TOO_LONG"},
                                status_code=414)
        return await call_next(request)


def install_request_id(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_id(request: Request, call_next: RequestResponseEndpoint) -> Response:
        given = request.headers.get("x-request-id", "")
        aws_ctx = request.scope.get("aws.context")
        rid = given if _REQUEST_ID_RE.match(given) else getattr(aws_ctx, "aws_request_id", None) or uuid.uuid4().hex
        logger.append_keys(request_id=rid)
        try:
            response = await call_next(request)
        finally:
            logger.remove_keys(["request_id"])
        response.headers["X-Request-Id"] = rid
        return response
