"""Request and response shapes of the auth routes (field names from the clients' contract)."""

from __future__ import annotations

from pydantic import Field

from faultmaven.http.api_model import ApiModel
from faultmaven.ports.users import UserRecord


class Credentials(ApiModel):
    """Login or registration. Extra fields the clients send are ignored."""

    username: str = Field(min_length=1, max_length=254)
    password: str | None = Field(default=None, max_length=1024)
    email: str | None = Field(default=None, max_length=254)
    display_name: str | None = Field(default=None, max_length=100)
    invite_code: str | None = Field(default=None, max_length=128)  # when registration is by invitation


class PasswordChange(ApiModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class InvitationResponse(ApiModel):
    invite_code: str
    expires_at: int  # epoch seconds
    register_endpoint: str


class UnlockRequest(ApiModel):
    username: str = Field(min_length=1, max_length=254)


class UserProfile(ApiModel):
    user_id: str
    username: str
    email: str
    display_name: str
    roles: list[str]
    created_at: str
    is_dev_user: bool = False

    @classmethod
    def of(cls, user: UserRecord) -> UserProfile:
        return cls(**user.model_dump(include={"user_id", "username", "email", "display_name", "roles",
                                               "created_at"}))


class AuthTokenResponse(ApiModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    session_id: str
    user: UserProfile


class RefreshRequest(ApiModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenRefreshResponse(ApiModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class LogoutResponse(ApiModel):
    all_sessions_ended: bool
    message: str
    revoked_tokens: int


class UserInfoResponse(UserProfile):
    last_login: str | None = None
    organization: dict[str, str] | None = None


class AuthConfigResponse(ApiModel):
    auth_mode: str
    supports_registration: bool
    registration: str  # open | invite | closed
    login_endpoint: str | None
    register_endpoint: str | None
    refresh_endpoint: str
    logout_endpoint: str
    jwks_uri: str
    oauth: dict[str, object] | None = None


class SsoExchangeRequest(ApiModel):
    """The dashboard's single-use completion code from the SSO callback."""

    code: str = Field(min_length=16, max_length=128)
