"""Integrations as an admin manages them (create, rotate, list, delete) and as a webhook proves it is one.

Each integration has its own secret. A sender that signs (PagerDuty) is checked by HMAC-SHA256 of the raw body with
it; the others (Alertmanager, generic) send it as a bearer secret. Both are compared in constant time, and every
failure (unknown integration, wrong kind, bad secret) is the same 401, so a caller learns nothing by probing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from faultmaven.cases.model import stamp
from faultmaven.clock import new_id, now
from faultmaven.errors import InvalidInput, NotFound, Unauthorized
from faultmaven.ports.integrations import IntegrationKind, IntegrationRecord, IntegrationStore
from faultmaven.ports.users import UserRepository

SIGNED_KINDS: frozenset[str] = frozenset({"pagerduty"})


def _refused() -> Unauthorized:
    return Unauthorized("the webhook's integration or signature is not valid", code="BAD_SIGNATURE")


def webhook_path(record: IntegrationRecord) -> str:
    """Where the integration's sender posts (relative to the API's URL)."""
    return f"/api/v1/webhooks/{record.kind}?integration={record.integration_id}"


def _secret(given: str | None) -> str:
    if given is None:
        return secrets.token_urlsafe(32)
    given = given.strip()
    if not 16 <= len(given) <= 256:
        raise InvalidInput("a secret must be 16-256 characters", code="INVALID_SECRET")
    return given


def pagerduty_signature(secret: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """`X-PagerDuty-Signature` lists one or more `v1=<hex>` (several while a secret rotates); any may match."""
    expected = pagerduty_signature(secret, body)
    found = False
    for candidate in (header or "").split(","):
        found |= hmac.compare_digest(candidate.strip().encode(), expected.encode())
    return found


def bearer_matches(secret: str, authorization: str | None) -> bool:
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), secret.encode())


class IntegrationRegistry:
    def __init__(self, store: IntegrationStore, users: UserRepository) -> None:
        self.store = store
        self.users = users

    def create(self, kind: IntegrationKind, owner_username: str, name: str,
               secret: str | None = None) -> IntegrationRecord:
        """A new integration whose alerts open cases owned by `owner_username`; its secret is shown once here.
        `secret` is the sender's own signing secret where the sender makes it (PagerDuty's subscription secret);
        otherwise one is generated."""
        owner = self.users.get_by_username(owner_username.strip().lower())
        if owner is None:
            raise InvalidInput(f"no user named {owner_username!r}", code="UNKNOWN_OWNER")
        name = " ".join(name.split())[:100] or kind
        record = IntegrationRecord(integration_id=new_id("int_"), kind=kind, owner_id=owner.user_id, name=name,
                                   secret=_secret(secret), created_at=stamp(now()))
        self.store.save(record)
        return record

    def rotate(self, integration_id: str, secret: str | None = None) -> IntegrationRecord:
        """A new secret (generated, or the sender's own); the old one stops working at once."""
        record = self.get(integration_id)
        rotated = record.model_copy(update={"secret": _secret(secret), "rotated_at": stamp(now())})
        self.store.save(rotated)
        return rotated

    def get(self, integration_id: str) -> IntegrationRecord:
        record = self.store.get(integration_id)
        if record is None:
            raise NotFound("integration not found", code="INTEGRATION_NOT_FOUND")
        return record

    def list(self) -> list[IntegrationRecord]:
        return self.store.list()

    def delete(self, integration_id: str) -> None:
        if not self.store.delete(integration_id):
            raise NotFound("integration not found", code="INTEGRATION_NOT_FOUND")

    def authenticate(self, kind: IntegrationKind, integration_id: str | None, body: bytes, *,
                     authorization: str | None = None, signature: str | None = None) -> IntegrationRecord:
        """The integration a webhook comes from, proven by its signature or bearer secret; else 401."""
        record = self.store.get(integration_id) if integration_id else None
        if record is None or record.kind != kind:
            # Compare anyway, so an unknown id costs as long as a wrong secret.
            signature_matches("x" * 43, body, signature)
            raise _refused()
        ok = (signature_matches(record.secret, body, signature) if kind in SIGNED_KINDS
              else bearer_matches(record.secret, authorization))
        if not ok:
            raise _refused()
        return record
