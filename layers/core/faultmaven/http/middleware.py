"""Request ids, the access log, and CORS.

Every request is logged once when it ends, as one JSON line: request id, method, route (the pattern, such as
/api/v1/cases/{case_id}), path, status, latency in ms, and the caller's user id when the request carried a valid token.
Never a body, a query string or a header: those may hold passwords, tokens and customer data.

CORS follows the clients' contract: browser-extension origins (their ids differ per install) and the configured web
origins are reflected, never `*`, with credentials allowed; `Location` and `Retry-After` are exposed so the extension
can poll a 202 turn and back off on 429.
"""

from __future__ import annotations

import re
import time
import uuid

from fastapi import FastAPI, Request, Response
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


ACCESS_SCOPE_KEY = "fm.access"  # a dict in the ASGI scope that the auth dependency fills with the caller's user id


def install_request_id(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_id(request: Request, call_next: RequestResponseEndpoint) -> Response:
        given = request.headers.get("x-request-id", "")
        aws_ctx = request.scope.get("aws.context")
        rid = given if _REQUEST_ID_RE.match(given) else getattr(aws_ctx, "aws_request_id", None) or uuid.uuid4().hex
        access: dict[str, str] = {}
        request.scope[ACCESS_SCOPE_KEY] = access
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises past the error handlers
        logger.append_keys(request_id=rid)
        try:
            response = await call_next(request)
            status = response.status_code
        finally:
            route = request.scope.get("route")
            logger.info("access", extra={
                "method": request.method, "route": getattr(route, "path", None), "path": request.url.path,
                "status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": access.get("user_id")})
            logger.remove_keys(["request_id"])
        response.headers["X-Request-Id"] = rid
        return response
