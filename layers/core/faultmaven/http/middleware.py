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
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.base import RequestResponseEndpoint
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


MAX_URL_BYTES = 8192  # path + query: bounds every id and filter a client can put in a URL, on every route


class RequestLimits:
    """414 for an over-long URL, 413 for a body over the limit: a declared Content-Length is refused before the
    route runs, and any body is counted while it streams in (a chunked upload stops at the limit, never spooled
    whole). Pure ASGI, so it can watch the body; the errors have the one error model. API Gateway's own limits are
    about 10 KB for a URL and 10 MB for a body."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        refusal = None
        if len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"]) > MAX_URL_BYTES:
            refusal = JSONResponse({"detail": f"the URL is longer than {MAX_URL_BYTES} bytes",
                                    "code": "URI_TOO_LONG"}, status_code=414)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            refusal = JSONResponse({"detail": f"the request body is larger than {limit} bytes",
                                    "code": "FILE_TOO_LARGE"}, status_code=413)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, f"the request body is larger than {limit} bytes")
            return message

        await self.app(scope, counted, send)


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
        logger.thread_safe_append_keys(request_id=rid)  # per request (a context variable): requests overlap
        try:
            response = await call_next(request)
            status = response.status_code
        finally:
            route = request.scope.get("route")
            logger.info("access", extra={
                "method": request.method, "route": getattr(route, "path", None), "path": request.url.path,
                "status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": access.get("user_id")})
            logger.thread_safe_remove_keys(["request_id"])
        response.headers["X-Request-Id"] = rid
        return response
