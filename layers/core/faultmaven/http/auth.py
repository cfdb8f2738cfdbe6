"""The one dependency that turns `Authorization: Bearer <token>` into a `Principal`.

Identity comes from the token only; client-sent identity headers are ignored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from faultmaven.auth.service import Principal
from faultmaven.container import Container, get_container
from faultmaven.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login")


def current_principal(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                      container: Annotated[Container, Depends(get_container)]) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("not authenticated: send Authorization: Bearer <access token>", code="NOT_AUTHENTICATED")
    return container.auth.principal_from_access_token(credentials.credentials)


def optional_principal(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                       container: Annotated[Container, Depends(get_container)]) -> Principal | None:
    """The caller if a valid token came with the request, else None (for routes that serve both)."""
    if credentials is None:
        return None
    return container.auth.principal_from_access_token(credentials.credentials)


def admin_principal(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if not principal.is_admin:
        raise Forbidden("this action needs the admin role", code="ADMIN_REQUIRED")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
AdminPrincipal = Annotated[Principal, Depends(admin_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
ContainerDep = Annotated[Container, Depends(get_container)]
