"""The one dependency that turns `Authorization: Bearer <token>` into a `Principal`.

Identity comes from the token only; client-sent identity headers are ignored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from faultmaven.auth.service import Principal
from faultmaven.container import Container, get_container
from faultmaven.errors import Forbidden, Unauthorized
from faultmaven.http.middleware import ACCESS_SCOPE_KEY

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login")


def _identified(request: Request, principal: Principal) -> Principal:
    """Tell the access log who called (see faultmaven.http.middleware)."""
    access = request.scope.get(ACCESS_SCOPE_KEY)
    if isinstance(access, dict):
        access["user_id"] = principal.user_id
    return principal


def current_principal(request: Request,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                      container: Annotated[Container, Depends(get_container)]) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("not authenticated: send Authorization: Bearer <access token>", code="NOT_AUTHENTICATED")
    return _identified(request, container.auth.principal_from_access_token(credentials.credentials))


def optional_principal(request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                       container: Annotated[Container, Depends(get_container)]) -> Principal | None:
    """The caller if a valid token came with the request, else None (for routes that serve both)."""
    if credentials is None:
        return None
    return _identified(request, container.auth.principal_from_access_token(credentials.credentials))


def admin_principal(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if not principal.is_admin:
        raise Forbidden("this action needs the admin role", code="ADMIN_REQUIRED")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
AdminPrincipal = Annotated[Principal, Depends(admin_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
ContainerDep = Annotated[Container, Depends(get_container)]
