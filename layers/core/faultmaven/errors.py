"""The domain's error vocabulary. The HTTP layer maps each to one status code and `{"detail", "code"}`."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init__(self, detail: str, *, code: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.headers = headers or {}


class InvalidInput(DomainError):
    status, code = 400, "INVALID_INPUT"


class Unauthorized(DomainError):
    status, code = 401, "UNAUTHORIZED"


class Forbidden(DomainError):
    status, code = 403, "FORBIDDEN"


class NotFound(DomainError):
    status, code = 404, "NOT_FOUND"


class Conflict(DomainError):
    status, code = 409, "CONFLICT"


class Gone(DomainError):
    status, code = 410, "GONE"


class TooLarge(DomainError):
    status, code = 413, "TOO_LARGE"


class UnsupportedMedia(DomainError):
    status, code = 415, "UNSUPPORTED_MEDIA_TYPE"


class RateLimited(DomainError):
    status, code = 429, "RATE_LIMITED"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class Unavailable(DomainError):
    """Worth retrying: every 503 tells the client when (Retry-After)."""

    status, code = 503, "UNAVAILABLE"

    def __init__(self, detail: str, *, code: str | None = None, retry_after: int = 5) -> None:
        super().__init__(detail, code=code, headers={"Retry-After": str(max(1, retry_after))})
