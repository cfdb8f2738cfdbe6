"""One error model for every route: `{"detail": ..., "code": ...}` with the right status, never a stack trace."""

from __future__ import annotations

import errno

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from faultmaven.errors import DomainError
from faultmaven.http.logging import logger

_STATUS_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                 405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE",
                 422: "VALIDATION_ERROR", 429: "RATE_LIMITED"}


def error_response(status: int, detail: object, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return error_response(exc.status, exc.detail, exc.code, exc.headers)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else "not found"
    return error_response(exc.status_code, detail, _STATUS_CODES.get(exc.status_code, "ERROR"),
                          dict(exc.headers or {}))


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # FastAPI's field list, minus the echoed input (it may hold a password or a secret).
    errors = [{k: v for k, v in e.items() if k not in ("input", "ctx", "url")} for e in exc.errors()]
    return error_response(422, errors, "VALIDATION_ERROR")


# Failures of a store that pass with time: throttled or busy DynamoDB/S3, a full or locked disk. Recognised by their
# codes (no AWS SDK import here): a 503 with Retry-After tells the client to come back, not that it sent bad input.
_TRANSIENT_AWS_CODES = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                        "TransactionConflictException", "InternalServerError", "ServiceUnavailable", "SlowDown",
                        "RequestTimeout", "Throttling", "LimitExceededException",
                        # per-item reasons of a cancelled DynamoDB transaction
                        "ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"}
_TRANSIENT_OS_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EAGAIN}


def _transient_reason(exc: BaseException) -> str | None:
    """Why `exc` (or what caused it) is worth retrying later, or None."""
    seen: BaseException | None = exc
    while seen is not None:
        response = getattr(seen, "response", None)
        code = getattr(seen, "cause_response_code", None) or (
            response.get("Error", {}).get("Code") if isinstance(response, dict) else None)
        reasons = {getattr(r, "code", None) for r in getattr(seen, "cancellation_reasons", None) or [] if r}
        if code in _TRANSIENT_AWS_CODES or reasons & _TRANSIENT_AWS_CODES:
            return "the data store is busy"
        if isinstance(seen, OSError) and seen.errno in _TRANSIENT_OS_ERRNOS:
            return "the server's disk is full"
        text = str(seen).lower()
        if type(seen).__name__ == "OperationalError" and ("disk is full" in text or "locked" in text):
            return "the server's disk is full" if "full" in text else "the database is busy"
        seen = seen.__cause__ or seen.__context__
    return None


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    reason = _transient_reason(exc)
    if reason is not None:
        logger.warning("transient failure", extra={"path": request.url.path, "error_type": type(exc).__name__})
        return error_response(503, f"{reason}; nothing was changed, try again shortly", "UNAVAILABLE",
                              {"Retry-After": "5"})
    logger.exception("unhandled error", extra={"path": request.url.path, "error_type": type(exc).__name__})
    return error_response(500, "internal error; the request id is in the X-Request-Id header", "INTERNAL")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
