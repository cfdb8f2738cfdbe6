"""Register, log in, rotate refresh tokens, log out. Pure domain logic over the users and tokens ports."""

from __future__ import annotations

import re
from dataclasses import dataclass

from faultmaven.auth.passwords import hash_password, verify_password
from faultmaven.auth.tokens import TokenIssuer
from faultmaven.clock import iso, new_id, now, now_epoch
from faultmaven.errors import Conflict, Forbidden, InvalidInput, RateLimited, Unauthorized
from faultmaven.ports.users import RefreshTokenRecord, TokenRepository, UserRecord, UserRepository

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{1,99}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # Argon2 accepts more, but there is no reason to hash megabytes


@dataclass(frozen=True)
class Principal:
    """Who is calling, as proven by an access token."""

    user_id: str
    username: str
    roles: tuple[str, ...]
    session_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_at: int


class AuthService:
    def __init__(self, users: UserRepository, tokens: TokenRepository, issuer: TokenIssuer, *,
                 max_failures: int, lockout_seconds: int, allow_registration: bool,
                 admin_usernames: frozenset[str] = frozenset()) -> None:
        self.users = users
        self.admin_usernames = frozenset(name.lower() for name in admin_usernames)
        self.tokens = tokens
        self.issuer = issuer
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.allow_registration = allow_registration

    # -- accounts ---------------------------------------------------------------------------------------------
    def _with_roles(self, user: UserRecord) -> UserRecord:
        """The user with the roles this deployment grants by configuration (FM_ADMIN_USERNAMES)."""
        if user.username in self.admin_usernames and "admin" not in user.roles:
            return user.model_copy(update={"roles": [*user.roles, "admin"]})
        return user

    def register(self, username: str, password: str, email: str | None, display_name: str | None) -> UserRecord:
        if not self.allow_registration:
            raise Forbidden("registration is disabled on this server", code="REGISTRATION_DISABLED")
        username = username.strip().lower()
        if not USERNAME_RE.match(username):
            raise InvalidInput("username must be 2-100 characters: letters, digits and . _ @ + -",
                               code="INVALID_USERNAME")
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise InvalidInput(f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters",
                               code="WEAK_PASSWORD")
        email = (email or (username if EMAIL_RE.match(username) else f"{username}@users.faultmaven.local")).strip()
        if not EMAIL_RE.match(email):
            raise InvalidInput("email is not a valid address", code="INVALID_EMAIL")
        if self.users.get_by_username(username) is not None:
            raise Conflict("a user with that username already exists", code="USER_EXISTS")
        user = UserRecord(user_id=new_id("user_"), username=username, email=email,
                          display_name=(display_name or username).strip()[:200], password_hash=hash_password(password),
                          created_at=iso(now()))
        self.users.create(user)
        return self._with_roles(user)

    def authenticate(self, username: str, password: str) -> UserRecord:
        """Check a password; repeated failures lock the account for a while (429 with Retry-After)."""
        user = self.users.get_by_username(username.strip().lower())
        current = now_epoch()
        if user is not None and user.locked_until > current:
            raise RateLimited("too many failed sign-ins; try again later", retry_after=user.locked_until - current)
        if user is None or len(password) > MAX_PASSWORD or not verify_password(user.password_hash, password):
            if user is None:
                verify_password(None, password)  # same cost whether or not the user exists
            else:
                failures = user.failed_logins + 1
                locked = current + self.lockout_seconds if failures >= self.max_failures else 0
                self.users.set_login_state(user.user_id, 0 if locked else failures, locked)
            raise Unauthorized("invalid username or password", code="INVALID_CREDENTIALS")
        if user.failed_logins or user.locked_until:
            self.users.set_login_state(user.user_id, 0, 0)
        return self._with_roles(user)

    # -- tokens -----------------------------------------------------------------------------------------------
    def issue(self, user: UserRecord, session_id: str | None = None, family_id: str | None = None) -> TokenPair:
        token_id = new_id("rt_")
        family = family_id or new_id("fam_")
        refresh, refresh_exp = self.issuer.refresh_token(user.user_id, token_id, family)
        self.tokens.put(RefreshTokenRecord(token_id=token_id, family_id=family, user_id=user.user_id,
                                           expires_at=refresh_exp))
        access = self.issuer.access_token(user.user_id, user.username, user.roles, session_id)
        return TokenPair(access, refresh, self.issuer.access_ttl, refresh_exp)

    def refresh(self, refresh_token: str) -> tuple[UserRecord, TokenPair]:
        """Rotate: the presented token is spent; presenting a spent one revokes its whole family."""
        claims = self.issuer.verify(refresh_token, "refresh")
        record = self.tokens.get(str(claims["jti"]))
        if record is None or record.user_id != claims["sub"]:
            raise Unauthorized("invalid refresh token", code="INVALID_TOKEN")
        if not self.tokens.mark_used(record.token_id):
            self.tokens.revoke_family(record.family_id)
            raise Unauthorized("refresh token already used or revoked", code="TOKEN_REUSED")
        user = self.users.get(record.user_id)
        if user is None:
            raise Unauthorized("invalid refresh token", code="INVALID_TOKEN")
        user = self._with_roles(user)
        return user, self.issue(user, family_id=record.family_id)

    def logout(self, principal: Principal) -> int:
        return self.tokens.revoke_user(principal.user_id)

    def principal_from_access_token(self, token: str) -> Principal:
        claims = self.issuer.verify(token, "access")
        roles = claims.get("roles") or []
        sid = claims.get("sid")
        return Principal(user_id=str(claims["sub"]), username=str(claims.get("username", "")),
                         roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
                         session_id=str(sid) if sid else None)

    def get_user(self, user_id: str) -> UserRecord:
        user = self.users.get(user_id)
        if user is None:
            raise Unauthorized("user no longer exists", code="INVALID_TOKEN")
        return self._with_roles(user)
