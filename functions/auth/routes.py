"""Sign-up, sign-in, token rotation, sign-out, the caller's profile, and the public keys (JWKS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from fastapi import APIRouter, Header, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from faultmaven.auth.service import TokenPair
from faultmaven.clock import now_epoch
from faultmaven.errors import InvalidInput
from faultmaven.http.auth import AdminPrincipal, ContainerDep, CurrentPrincipal
from faultmaven.ports.users import UserRecord
from functions.auth.models import (
    AuthConfigResponse,
    AuthTokenResponse,
    Credentials,
    InvitationResponse,
    LogoutResponse,
    PasswordChange,
    RefreshRequest,
    TokenRefreshResponse,
    UnlockRequest,
    UserInfoResponse,
    UserProfile,
)

router = APIRouter(tags=["auth"])
PREFIX = "/api/v1/auth"
T = TypeVar("T")
# Sign-up and sign-in run in threads of their own, not the server's shared pool: in a burst most of them wait for the
# hashing gate (`faultmaven.auth.hash_gate`: Argon2 on all cores but one, 503 past its queue bound)
# and must not hold the threads that case reads and writes need. (A Lambda serves one request at a time.)
_AUTH_THREADS = anyio.CapacityLimiter(128)


async def _hashing(fn: Callable[..., T], *args: object) -> T:
    return await anyio.to_thread.run_sync(fn, *args, limiter=_AUTH_THREADS)


def _client(request: Request) -> str | None:
    """The caller's address as the transport saw it (API Gateway's sourceIp under Mangum); a client-sent
    X-Forwarded-For is not trusted, or a guesser could pick a fresh address per try."""
    return request.client.host if request.client else None


def _password(body: Credentials) -> str:
    if not body.password:
        raise InvalidInput("password is required", code="PASSWORD_REQUIRED")
    return body.password


def signed_in(container: ContainerDep, user: UserRecord, session_id: str | None) -> AuthTokenResponse:
    session = container.login_session(user.user_id, session_id)
    pair: TokenPair = container.auth.issue(user, session_id=session)
    return AuthTokenResponse(access_token=pair.access_token, expires_in=pair.expires_in,
                             refresh_token=pair.refresh_token, refresh_expires_in=pair.refresh_expires_at - now_epoch(),
                             session_id=session, user=UserProfile.of(user))


@router.get(f"{PREFIX}/config", response_model=AuthConfigResponse)
def auth_config(container: ContainerDep) -> AuthConfigResponse:
    registration = container.settings.effective_registration
    return AuthConfigResponse(auth_mode="local", supports_registration=registration != "closed",
                              registration=registration, login_endpoint=f"{PREFIX}/login",
                              register_endpoint=f"{PREFIX}/register" if registration != "closed" else None,
                              refresh_endpoint=f"{PREFIX}/refresh", logout_endpoint=f"{PREFIX}/logout",
                              jwks_uri=f"{PREFIX}/.well-known/jwks.json",
                              oauth={"hosted_login_url": f"{PREFIX}/sso/login"} if container.sso else None)


@router.post(f"{PREFIX}/register", status_code=status.HTTP_201_CREATED, response_model=AuthTokenResponse)
async def register(body: Credentials, container: ContainerDep,
                   x_session_id: str | None = Header(default=None, max_length=128)) -> AuthTokenResponse:
    user = await _hashing(container.auth.register, body.username, _password(body), body.email, body.display_name,
                          body.invite_code)
    return await run_in_threadpool(signed_in, container, user, x_session_id)


@router.post(f"{PREFIX}/login", response_model=AuthTokenResponse)
async def login(body: Credentials, request: Request, container: ContainerDep,
                x_session_id: str | None = Header(default=None, max_length=128)) -> AuthTokenResponse:
    user = await _hashing(container.auth.authenticate, body.username, _password(body), _client(request))
    return await run_in_threadpool(signed_in, container, user, x_session_id)


@router.post(f"{PREFIX}/refresh", response_model=TokenRefreshResponse)
def refresh(body: RefreshRequest, container: ContainerDep) -> TokenRefreshResponse:
    _, pair = container.auth.refresh(body.refresh_token)
    return TokenRefreshResponse(access_token=pair.access_token, expires_in=pair.expires_in,
                                refresh_token=pair.refresh_token,
                                refresh_expires_in=pair.refresh_expires_at - now_epoch())


@router.post(f"{PREFIX}/logout", response_model=LogoutResponse)
def logout(principal: CurrentPrincipal, container: ContainerDep) -> LogoutResponse:
    revoked = container.auth.logout(principal)
    return LogoutResponse(all_sessions_ended=True, message="signed out; every refresh token was revoked",
                          revoked_tokens=revoked)


@router.post(f"{PREFIX}/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, request: Request, principal: CurrentPrincipal,
                    container: ContainerDep) -> Response:
    """Change the caller's password; the new one meets the sign-up rules, and the caller signs in again."""
    container.auth.change_password(principal, body.current_password, body.new_password, _client(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(f"{PREFIX}/invitations", status_code=status.HTTP_201_CREATED, response_model=InvitationResponse)
def invite(principal: AdminPrincipal, container: ContainerDep) -> InvitationResponse:
    """A one-use sign-up code (admins only), for registration policy `invite`."""
    code, expires_at = container.auth.invite(principal)
    return InvitationResponse(invite_code=code, expires_at=expires_at, register_endpoint=f"{PREFIX}/register")


@router.post(f"{PREFIX}/unlock", status_code=status.HTTP_204_NO_CONTENT)
def unlock(body: UnlockRequest, _: AdminPrincipal, container: ContainerDep) -> Response:
    """End an account's sign-in delays now (admins only). Answers the same whether or not the account exists."""
    container.auth.unlock(body.username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{PREFIX}/me", response_model=UserInfoResponse)
def me(principal: CurrentPrincipal, container: ContainerDep) -> UserInfoResponse:
    return UserInfoResponse(**UserProfile.of(container.auth.get_user(principal.user_id)).model_dump())


@router.get(f"{PREFIX}/.well-known/jwks.json")
def jwks(container: ContainerDep) -> dict[str, list[dict[str, str]]]:
    return container.auth.issuer.jwks()



@router.get("/.well-known/openid-configuration", include_in_schema=False)
def openid_configuration(container: ContainerDep) -> dict[str, object]:
    """Discovery for API Gateway's JWT authorizer, which reads `jwks_uri` from `<issuer>/.well-known/...`."""
    settings = container.settings
    return {"issuer": settings.jwt_issuer, "jwks_uri": f"{settings.effective_public_url}/.well-known/jwks.json",
            "id_token_signing_alg_values_supported": ["RS256"], "response_types_supported": ["token"],
            "subject_types_supported": ["public"]}


@router.get("/.well-known/jwks.json", include_in_schema=False)
def jwks_root(container: ContainerDep) -> dict[str, list[dict[str, str]]]:
    """API Gateway's JWT authorizer looks for `<issuer>/.well-known/...`; serve the keys there too."""
    return container.auth.issuer.jwks()
