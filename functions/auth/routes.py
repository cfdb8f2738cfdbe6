"""Sign-up, sign-in, token rotation, sign-out, the caller's profile, and the public keys (JWKS)."""

from __future__ import annotations

from fastapi import APIRouter, Header, status

from faultmaven.auth.service import TokenPair
from faultmaven.clock import now_epoch
from faultmaven.errors import InvalidInput
from faultmaven.http.auth import ContainerDep, CurrentPrincipal
from faultmaven.ports.users import UserRecord
from functions.auth.models import (
    AuthConfigResponse,
    AuthTokenResponse,
    Credentials,
    LogoutResponse,
    RefreshRequest,
    TokenRefreshResponse,
    UserInfoResponse,
    UserProfile,
)

router = APIRouter(tags=["auth"])
PREFIX = "/api/v1/auth"


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
    return AuthConfigResponse(auth_mode="local", supports_registration=container.settings.allow_registration,
                              login_endpoint=f"{PREFIX}/login",
                              register_endpoint=f"{PREFIX}/register" if container.settings.allow_registration else None,
                              refresh_endpoint=f"{PREFIX}/refresh", logout_endpoint=f"{PREFIX}/logout",
                              jwks_uri=f"{PREFIX}/.well-known/jwks.json",
                              oauth={"hosted_login_url": f"{PREFIX}/sso/login"} if container.sso else None)


@router.post(f"{PREFIX}/register", status_code=status.HTTP_201_CREATED, response_model=AuthTokenResponse)
def register(body: Credentials, container: ContainerDep,
             x_session_id: str | None = Header(default=None, max_length=128)) -> AuthTokenResponse:
    user = container.auth.register(body.username, _password(body), body.email, body.display_name)
    return signed_in(container, user, x_session_id)


@router.post(f"{PREFIX}/login", response_model=AuthTokenResponse)
def login(body: Credentials, container: ContainerDep,
          x_session_id: str | None = Header(default=None, max_length=128)) -> AuthTokenResponse:
    user = container.auth.authenticate(body.username, _password(body))
    return signed_in(container, user, x_session_id)


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
