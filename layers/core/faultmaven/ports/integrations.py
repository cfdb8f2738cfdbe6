"""Storage port of alert integrations: the senders' secrets, the alert→case links that dedupe repeats, the
notification settings of a scope, and the dead letters of deliveries that gave up."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

IntegrationKind = Literal["alertmanager", "pagerduty", "generic"]


class IntegrationRecord(BaseModel):
    integration_id: str
    kind: IntegrationKind
    owner_id: str  # the user whose cases the alerts open
    name: str
    # Kept as given (not hashed): a signed sender's HMAC needs the key itself to be checked.
    secret: str
    created_at: str
    rotated_at: str | None = None


def team_scope(team_id: str) -> str:
    """The notification scope of a team (a user's scope is their user id)."""
    return f"team:{team_id}"


class NotificationSettings(BaseModel):
    """Where a scope's notifications go. `scope_id` is a user's id, or `team_scope(team_id)`; tokens are secrets."""

    scope_id: str
    slack_webhook_url: str | None = None
    slack_bot_token: str | None = None
    slack_channel: str | None = None
    pagerduty_api_token: str | None = None
    pagerduty_from_email: str | None = None


class DeadLetter(BaseModel):
    letter_id: str
    scope_id: str
    channel: str  # "slack" | "pagerduty"
    event: str
    message: dict[str, Any] = Field(default_factory=dict)  # the (sanitized) message that was not delivered
    error: str
    attempts: int
    created_at: str


class IntegrationStore(Protocol):
    def save(self, record: IntegrationRecord) -> None:
        """Create or replace an integration (rotation replaces its secret)."""

    def get(self, integration_id: str) -> IntegrationRecord | None: ...

    def list(self) -> list[IntegrationRecord]:
        """Every integration, oldest first (an admin's view)."""

    def delete(self, integration_id: str) -> bool: ...

    def link_alert(self, owner_id: str, fingerprint: str, case_id: str, replacing: str | None = None) -> str:
        """Atomically point the owner's alert `fingerprint` at `case_id` when it points nowhere (or at
        `replacing`); returns the case it points at afterwards (another writer's when it got there first)."""

    def linked_case(self, owner_id: str, fingerprint: str) -> str | None: ...

    def unlink_alert(self, owner_id: str, fingerprint: str, case_id: str) -> bool:
        """Forget the link if it still points at `case_id`; True when this call removed it."""

    def save_settings(self, settings: NotificationSettings) -> None: ...

    def settings(self, scope_id: str) -> NotificationSettings | None: ...

    def add_dead_letter(self, letter: DeadLetter) -> None: ...

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        """The newest dead letters first."""
