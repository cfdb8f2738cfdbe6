"""Users and refresh tokens: the identity aggregate's storage port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from pydantic import BaseModel, Field


class UserRecord(BaseModel):
    user_id: str
    username: str  # stored lower-cased; unique
    email: str
    display_name: str
    password_hash: str
    roles: list[str] = Field(default_factory=lambda: ["user"])
    created_at: str


class RefreshTokenRecord(BaseModel):
    token_id: str  # the jti of the refresh token
    family_id: str  # every rotation of one login shares the family
    user_id: str
    expires_at: int  # epoch seconds
    used: bool = False
    revoked: bool = False


class UserRepository(Protocol):
    def create(self, user: UserRecord) -> None:
        """Store a new user; raises `Conflict` when the username is taken."""

    def get(self, user_id: str) -> UserRecord | None: ...

    def get_by_username(self, username: str) -> UserRecord | None: ...

    def all(self) -> Iterator[UserRecord]:
        """Every user, in `user_id` order (export and backup walk the data from here)."""

    def set_roles(self, user_id: str, roles: list[str]) -> None: ...

    def set_password(self, user_id: str, password_hash: str) -> None: ...

    def add_invitation(self, code_hash: str, created_by: str, expires_at: int) -> None: ...

    def take_invitation(self, code_hash: str, now: int) -> bool:
        """Spend an invitation atomically; False when it is unknown, spent or expired (`expires_at <= now`)."""


class TokenRepository(Protocol):
    def put(self, token: RefreshTokenRecord) -> None:
        """Create or replace a token record (markers are written again when revoked again)."""

    def get(self, token_id: str) -> RefreshTokenRecord | None: ...

    def mark_used(self, token_id: str) -> bool:
        """Atomically flag a token used; False when it was already used or revoked (a replay)."""

    def revoke_family(self, family_id: str) -> int:
        """Revoke every token of a family; returns how many were live."""

    def revoke_user(self, user_id: str) -> int:
        """Revoke every live token of a user; returns how many were live."""
