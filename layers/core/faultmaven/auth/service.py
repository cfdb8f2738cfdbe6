"""Register, log in, rotate refresh tokens, log out. Pure domain logic over the users and tokens ports."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from faultmaven.auth.password_policy import MAX_PASSWORD, check_password
from faultmaven.auth.passwords import hash_password, verify_password
from faultmaven.auth.throttle import LoginThrottle
from faultmaven.auth.tokens import TokenIssuer
from faultmaven.clock import iso, new_id, now, now_epoch
from faultmaven.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from faultmaven.ports.users import RefreshTokenRecord, TokenRepository, UserRecord, UserRepository

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{1,99}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RegistrationPolicy = Literal["open", "invite", "closed"]
INVITE_PREFIX = "inv_"


def invite_hash(code: str) -> str:
    """Invitations are stored by hash: a leaked table does not hand out sign-ups."""
    return hashlib.sha256(code.encode()).hexdigest()


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
    def __init__(self, users: UserRepository, tokens: TokenRepository, issuer: Callable[[], TokenIssuer],
                 throttle: LoginThrottle, *, registration: RegistrationPolicy,
                 invite_ttl_seconds: int = 7 * 86400) -> None:
        self.users = users
        self.tokens = tokens
        self._issuer = issuer
        self.throttle = throttle
        self.registration = registration
        self.invite_ttl_seconds = invite_ttl_seconds

    @cached_property
    def issuer(self) -> TokenIssuer:
        """Built on first use: account chores (`faultmaven admin`) never need the signing key."""
        return self._issuer()

    # -- accounts ---------------------------------------------------------------------------------------------
    def create_user(self, username: str, password: str, email: str | None, display_name: str | None,
                    roles: tuple[str, ...] = ("user",)) -> UserRecord:
        """A new account with the password rules applied; roles are given here only by an admin path."""
        username = username.strip().lower()
        if not USERNAME_RE.match(username):
            raise InvalidInput("username must be 2-100 characters: letters, digits and . _ @ + -",
                               code="INVALID_USERNAME")
        email = (email or (username if EMAIL_RE.match(username) else f"{username}@users.faultmaven.local")).strip()
        if not EMAIL_RE.match(email):
            raise InvalidInput("email is not a valid address", code="INVALID_EMAIL")
        check_password(password, user_inputs=(username, email, display_name or ""))
        if self.users.get_by_username(username) is not None:
            raise Conflict("a user with that username already exists", code="USER_EXISTS")
        user = UserRecord(user_id=new_id("user_"), username=username, email=email,
                          display_name=(display_name or username).strip()[:200], password_hash=hash_password(password),
                          roles=list(roles), created_at=iso(now()))
        self.users.create(user)
        return user

    def register(self, username: str, password: str, email: str | None, display_name: str | None,
                 invite_code: str | None = None) -> UserRecord:
        """Self-service sign-up under the registration policy: open, by invitation, or closed. Never grants admin."""
        if self.registration == "closed":
            raise Forbidden("registration is closed on this server; ask an administrator for an account",
                            code="REGISTRATION_DISABLED")
        if self.registration == "invite":
            if not invite_code:
                raise Forbidden("registration needs an invitation code from an administrator", code="INVITE_REQUIRED")
            check_password(password, user_inputs=(username, email or "", display_name or ""))  # before spending it
            if not self.users.take_invitation(invite_hash(invite_code), now_epoch()):
                raise Forbidden("the invitation code is unknown, used or expired", code="INVITE_INVALID")
        return self.create_user(username, password, email, display_name)

    def invite(self, admin: Principal) -> tuple[str, int]:
        """A one-use invitation code and its expiry (epoch seconds)."""
        code, expires_at = new_id(INVITE_PREFIX), now_epoch() + self.invite_ttl_seconds
        self.users.add_invitation(invite_hash(code), admin.user_id, expires_at)
        return code, expires_at

    def grant_admin(self, username: str) -> UserRecord:
        user = self.users.get_by_username(username.strip().lower())
        if user is None:
            raise NotFound("no such user", code="USER_NOT_FOUND")
        if "admin" not in user.roles:
            user = user.model_copy(update={"roles": [*user.roles, "admin"]})
            self.users.set_roles(user.user_id, user.roles)
        return user

    def authenticate(self, username: str, password: str, client: str | None = None) -> UserRecord:
        """Check a password under the sign-in throttle (429 with Retry-After while a delay runs).

        Unknown names go through the same throttle and the same hash verification as known ones, so neither the
        answers nor their timing tell whether an account exists."""
        self.throttle.admit(username, client)
        user = self.users.get_by_username(username.strip().lower())
        if user is None or len(password) > MAX_PASSWORD or not verify_password(user.password_hash, password):
            if user is None:
                verify_password(None, password)  # same cost whether or not the user exists
            self.throttle.failed(client)
            raise Unauthorized("invalid username or password", code="INVALID_CREDENTIALS")
        self.throttle.succeeded(username)
        return user

    def change_password(self, principal: Principal, current: str, new: str, client: str | None = None) -> None:
        """The same checks as sign-in for the current password, the same rules as sign-up for the new one; every
        refresh token and this session's access tokens end (the other sessions sign in again)."""
        user = self.authenticate(principal.username, current, client)
        check_password(new, user_inputs=(user.username, user.email, user.display_name))
        self.users.set_password(user.user_id, hash_password(new))
        self.logout(principal)

    def unlock(self, username: str) -> None:
        self.throttle.unlock(username)

    # -- tokens -----------------------------------------------------------------------------------------------
    # Markers in the token store, beside the refresh tokens: a signed-out session id `sid:<id>` (its access tokens
    # are refused until they expire) and a revoked family `fam:<id>` (no rotation may add a live token to it again).
    def _mark(self, marker: str, user_id: str) -> None:
        self.tokens.put(RefreshTokenRecord(token_id=marker, family_id=marker, user_id=user_id, revoked=True,
                                           expires_at=now_epoch() + self.issuer.refresh_ttl))

    def _revoke_family(self, family_id: str, user_id: str) -> None:
        self._mark(f"fam:{family_id}", user_id)  # first, so a rotation racing with us sees it
        self.tokens.revoke_family(family_id)

    def issue(self, user: UserRecord, session_id: str | None = None, family_id: str | None = None) -> TokenPair:
        token_id = new_id("rt_")
        family = family_id or new_id("fam_")
        refresh, refresh_exp = self.issuer.refresh_token(user.user_id, token_id, family, session_id)
        self.tokens.put(RefreshTokenRecord(token_id=token_id, family_id=family, user_id=user.user_id,
                                           expires_at=refresh_exp))
        access = self.issuer.access_token(user.user_id, user.username, user.roles, session_id)
        return TokenPair(access, refresh, self.issuer.access_ttl, refresh_exp)

    def refresh(self, refresh_token: str) -> tuple[UserRecord, TokenPair]:
        """Rotate: the presented token is spent; presenting a spent one revokes its whole family, for good."""
        claims = self.issuer.verify(refresh_token, "refresh")
        record = self.tokens.get(str(claims["jti"]))
        if record is None or record.user_id != claims["sub"]:
            raise Unauthorized("invalid refresh token", code="INVALID_TOKEN")
        if not self.tokens.mark_used(record.token_id):
            self._revoke_family(record.family_id, record.user_id)
            raise Unauthorized("refresh token already used or revoked", code="TOKEN_REUSED")
        user = self.users.get(record.user_id)
        sid = str(claims["sid"]) if claims.get("sid") else None
        if user is None or (sid and self._revoked(f"sid:{sid}")):
            raise Unauthorized("invalid refresh token", code="INVALID_TOKEN")
        pair = self.issue(user, session_id=sid, family_id=record.family_id)
        if self._revoked(f"fam:{record.family_id}"):  # revoked while we rotated: the new token dies too
            self.tokens.revoke_family(record.family_id)
            raise Unauthorized("refresh token already used or revoked", code="TOKEN_REUSED")
        return user, pair

    def _revoked(self, marker: str) -> bool:
        return self.tokens.get(marker) is not None

    def logout(self, principal: Principal) -> int:
        """Every refresh token of the user is revoked; this session's access tokens are refused from now on."""
        if principal.session_id:
            self._mark(f"sid:{principal.session_id}", principal.user_id)
        return self.tokens.revoke_user(principal.user_id)

    def principal_from_access_token(self, token: str) -> Principal:
        claims = self.issuer.verify(token, "access")
        roles = claims.get("roles") or []
        sid = claims.get("sid")
        if sid and self._revoked(f"sid:{sid}"):
            raise Unauthorized("this session has signed out; sign in again", code="TOKEN_REVOKED")
        return Principal(user_id=str(claims["sub"]), username=str(claims.get("username", "")),
                         roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
                         session_id=str(sid) if sid else None)

    def get_user(self, user_id: str) -> UserRecord:
        user = self.users.get(user_id)
        if user is None:
            raise Unauthorized("user no longer exists", code="INVALID_TOKEN")
        return user
