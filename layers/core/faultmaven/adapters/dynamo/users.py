"""Users and refresh tokens in DynamoDB (PynamoDB).

Users table: one item per user (`pk = USER#<id>`) and one per username (`pk = NAME#<username>`), written together
in a transaction so usernames stay unique. Tokens table: keyed by token id, with GSIs by family and by user, and
`expires_at` as the TTL attribute.
"""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from faultmaven.adapters.dynamo.base import bind
from faultmaven.adapters.dynamo.errors import is_condition_failure
from faultmaven.errors import Conflict
from faultmaven.ports.users import RefreshTokenRecord, UserRecord
from faultmaven.settings import Settings


class _UserItem(Model):
    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    username = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    display_name = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    roles = ListAttribute(of=UnicodeAttribute, null=True)
    created_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # invitations


class _ByFamily(GlobalSecondaryIndex):
    class Meta:
        index_name = "family_id-index"
        projection = AllProjection()

    family_id = UnicodeAttribute(hash_key=True)


class _ByUser(GlobalSecondaryIndex):
    class Meta:
        index_name = "user_id-index"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)


class _TokenItem(Model):
    token_id = UnicodeAttribute(hash_key=True)
    family_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    expires_at = NumberAttribute()
    used = BooleanAttribute(default=False)
    revoked = BooleanAttribute(default=False)
    by_family = _ByFamily()
    by_user = _ByUser()


_USER_FIELDS = ("user_id", "username", "email", "display_name", "password_hash", "roles", "created_at")


class DynamoUserRepository:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_UserItem, settings, "users")
        self.connection = Connection(region=settings.aws_region, host=settings.aws_endpoint_url)

    def create(self, user: UserRecord) -> None:
        item = self.model(f"USER#{user.user_id}", **user.model_dump(include=set(_USER_FIELDS)))
        name = self.model(f"NAME#{user.username}", user_id=user.user_id)
        try:
            with TransactWrite(connection=self.connection) as tx:
                tx.save(name, condition=self.model.pk.does_not_exist())
                tx.save(item, condition=self.model.pk.does_not_exist())
        except TransactWriteError as exc:
            if not is_condition_failure(exc):
                raise
            raise Conflict("a user with that username already exists", code="USER_EXISTS") from exc

    def _load(self, pk: str) -> UserRecord | None:
        try:
            item = self.model.get(pk, consistent_read=True)
        except self.model.DoesNotExist:
            return None
        return UserRecord(**{f: getattr(item, f) for f in _USER_FIELDS})

    def get(self, user_id: str) -> UserRecord | None:
        return self._load(f"USER#{user_id}")

    def get_by_username(self, username: str) -> UserRecord | None:
        try:
            name = self.model.get(f"NAME#{username.lower()}", consistent_read=True)
        except self.model.DoesNotExist:
            return None
        return self.get(name.user_id)

    def all(self) -> Iterator[UserRecord]:
        """A scan: only export and backup call it, never a request path."""
        items = self.model.scan(self.model.pk.startswith("USER#"), consistent_read=True)
        records = (UserRecord(**{f: getattr(item, f) for f in _USER_FIELDS}) for item in items)
        yield from sorted(records, key=lambda u: u.user_id)

    def _set(self, user_id: str, attribute: UnicodeAttribute | ListAttribute, value: object) -> None:
        self.model(f"USER#{user_id}").update(actions=[attribute.set(value)], condition=self.model.pk.exists())

    def set_roles(self, user_id: str, roles: list[str]) -> None:
        self._set(user_id, self.model.roles, roles)

    def set_password(self, user_id: str, password_hash: str) -> None:
        self._set(user_id, self.model.password_hash, password_hash)

    def add_invitation(self, code_hash: str, created_by: str, expires_at: int) -> None:
        self.model(f"INVITE#{code_hash}", user_id=created_by, expires_at=expires_at).save()

    def take_invitation(self, code_hash: str, now: int) -> bool:
        try:
            self.model(f"INVITE#{code_hash}").delete(condition=self.model.expires_at > now)
        except DeleteError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True


class DynamoTokenRepository:
    def __init__(self, settings: Settings) -> None:
        self.model = bind(_TokenItem, settings, "tokens")

    def put(self, token: RefreshTokenRecord) -> None:
        self.model(**token.model_dump()).save()

    def get(self, token_id: str) -> RefreshTokenRecord | None:
        try:
            item = self.model.get(token_id, consistent_read=True)
        except self.model.DoesNotExist:
            return None
        return RefreshTokenRecord(**{f: getattr(item, f) for f in RefreshTokenRecord.model_fields})

    def _flag(self, item: _TokenItem, attribute: BooleanAttribute) -> bool:
        """Set `attribute` true only while the token is live; False when another writer got there first."""
        live = (self.model.used == False) & (self.model.revoked == False)  # noqa: E712 - PynamoDB conditions
        try:
            item.update(actions=[attribute.set(True)], condition=live)
        except UpdateError:
            return False
        return True

    def mark_used(self, token_id: str) -> bool:
        return self._flag(self.model(token_id), self.model.used)

    def _revoke_all(self, items: object) -> int:
        return sum(self._flag(item, self.model.revoked) for item in items if not (item.used or item.revoked))

    def revoke_family(self, family_id: str) -> int:
        return self._revoke_all(self.model.by_family.query(family_id))

    def revoke_user(self, user_id: str) -> int:
        return self._revoke_all(self.model.by_user.query(user_id))
