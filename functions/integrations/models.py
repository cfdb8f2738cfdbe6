"""Request and response models of the integrations routes (the senders' payloads are in
faultmaven.integrations.payloads)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from faultmaven.integrations.registry import webhook_path
from faultmaven.ports.integrations import DeadLetter, IntegrationKind, IntegrationRecord, NotificationSettings


class WebhookAlert(BaseModel):
    fingerprint: str
    status: str
    action: str  # opened | updated | duplicate | resolved | ignored
    case_id: str | None = None
    runbook: str | None = None


class WebhookResponse(BaseModel):
    integration_id: str
    alerts: list[WebhookAlert]


class IntegrationCreateRequest(BaseModel):
    kind: IntegrationKind
    owner: str = Field(min_length=1, max_length=100, description="username whose cases the alerts open")
    name: str = Field(default="", max_length=100)
    secret: str | None = Field(default=None, min_length=16, max_length=256,
                               description="the sender's own signing secret (PagerDuty's); else one is generated")


class IntegrationRotateRequest(BaseModel):
    secret: str | None = Field(default=None, min_length=16, max_length=256,
                               description="the sender's new signing secret; else one is generated")


class IntegrationView(BaseModel):
    integration_id: str
    kind: IntegrationKind
    owner_id: str
    name: str
    created_at: str
    rotated_at: str | None = None
    webhook_path: str

    @classmethod
    def of(cls, record: IntegrationRecord) -> IntegrationView:
        return cls(**record.model_dump(exclude={"secret"}), webhook_path=webhook_path(record))


class IntegrationWithSecret(IntegrationView):
    secret: str = Field(description="shown only when created or rotated")

    @classmethod
    def of(cls, record: IntegrationRecord) -> IntegrationWithSecret:
        return cls(**IntegrationView.of(record).model_dump(), secret=record.secret)


class IntegrationList(BaseModel):
    integrations: list[IntegrationView]


class NotificationSettingsRequest(BaseModel):
    slack_webhook_url: str | None = Field(default=None, max_length=2000)
    slack_bot_token: str | None = Field(default=None, max_length=500)
    slack_channel: str | None = Field(default=None, max_length=200)
    pagerduty_api_token: str | None = Field(default=None, max_length=500)
    pagerduty_from_email: str | None = Field(default=None, max_length=320)


class NotificationSettingsView(BaseModel):
    """Credentials are never echoed: only whether each is set."""

    scope_id: str
    slack_webhook_url_set: bool
    slack_bot_token_set: bool
    slack_channel: str | None
    pagerduty_api_token_set: bool
    pagerduty_from_email: str | None

    @classmethod
    def of(cls, s: NotificationSettings) -> NotificationSettingsView:
        return cls(scope_id=s.scope_id, slack_webhook_url_set=bool(s.slack_webhook_url),
                   slack_bot_token_set=bool(s.slack_bot_token), slack_channel=s.slack_channel,
                   pagerduty_api_token_set=bool(s.pagerduty_api_token), pagerduty_from_email=s.pagerduty_from_email)


class DeadLetterList(BaseModel):
    dead_letters: list[DeadLetter]
