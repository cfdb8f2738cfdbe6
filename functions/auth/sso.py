"""SSO routes (`/api/v1/auth/sso/*`, as in the FaultMaven contract): login, the provider's callback, exchange."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Cookie, Query
from fastapi.responses import RedirectResponse

from faultmaven.auth.sso import STATE_TTL, SsoService
from faultmaven.errors import DomainError, NotFound
from faultmaven.http.auth import ContainerDep
from functions.auth.models import AuthTokenResponse, SsoExchangeRequest
from functions.auth.routes import signed_in

router = APIRouter(tags=["sso"])
PREFIX = "/api/v1/auth/sso"
STATE_COOKIE = "fm_sso_state"


def _sso(container: ContainerDep) -> SsoService:
    if container.sso is None:
        raise NotFound("single sign-on is not configured on this server (FM_OIDC_ISSUER, FM_OIDC_CLIENT_ID)",
                       code="SSO_NOT_CONFIGURED")
    return container.sso


@router.get(f"{PREFIX}/login", status_code=302)
def sso_login(container: ContainerDep,
              return_to: Annotated[str | None, Query(max_length=512)] = None,
              screen_hint: Literal["sign-in", "sign-up"] | None = None) -> RedirectResponse:
    url, state_cookie = _sso(container).begin(return_to, screen_hint)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(STATE_COOKIE, state_cookie, max_age=STATE_TTL, path=PREFIX, httponly=True,
                        secure=container.settings.effective_public_url.startswith("https"), samesite="lax")
    return response


@router.get(f"{PREFIX}/callback", status_code=302)
def sso_callback(container: ContainerDep, code: Annotated[str | None, Query(max_length=4096)] = None,
                 state: Annotated[str | None, Query(max_length=512)] = None,
                 error: Annotated[str | None, Query(max_length=256)] = None,
                 fm_sso_state: Annotated[str | None, Cookie()] = None) -> RedirectResponse:
    """Always a redirect to the dashboard, with a completion `code` or a sanitized `error`; the cookie is cleared."""
    outcome: dict[str, str]
    return_to = ""
    if error or not code or not state:
        outcome = {"error": "sso_denied" if error else "sso_invalid_request"}
    else:
        try:
            completion, return_to = _sso(container).complete(code, state, fm_sso_state)
            outcome = {"code": completion}
        except DomainError as exc:
            outcome = {"error": exc.code.lower()}
    if return_to:
        outcome["return_to"] = return_to
    response = RedirectResponse(f"{container.settings.effective_dashboard_url}?{urlencode(outcome)}#sso",
                                status_code=302)
    response.delete_cookie(STATE_COOKIE, path=PREFIX)
    return response


@router.post(f"{PREFIX}/exchange", response_model=AuthTokenResponse)
def sso_exchange(body: SsoExchangeRequest, container: ContainerDep) -> AuthTokenResponse:
    return signed_in(container, _sso(container).exchange(body.code), None)
