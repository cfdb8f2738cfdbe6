"""Integration routes: the alert webhooks (no user token: each request proves its integration by signature or
bearer secret, and is rate limited per integration) and the admin routes that manage integrations, a scope's
notification settings, and the dead letters of failed deliveries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError

from faultmaven.container import Container
from faultmaven.errors import InvalidInput, TooLarge
from faultmaven.http.auth import AdminPrincipal, ContainerDep
from faultmaven.integrations.outbound import OutboundRefused, check_outbound_url
from faultmaven.integrations.payloads import Alert, AlertmanagerPayload, GenericAlert, PagerDutyPayload
from faultmaven.ports.integrations import IntegrationKind, NotificationSettings
from functions.integrations.models import (
    DeadLetterList,
    IntegrationCreateRequest,
    IntegrationList,
    IntegrationRotateRequest,
    IntegrationView,
    IntegrationWithSecret,
    NotificationSettingsRequest,
    NotificationSettingsView,
    WebhookAlert,
    WebhookResponse,
)

WEBHOOKS = "/api/v1/webhooks"
ADMIN = "/api/v1/admin"
MAX_WEBHOOK_BYTES = 1024 * 1024
IntegrationParam = Annotated[str | None, Query(max_length=64, description="the integration's id")]
IntegrationId = Annotated[str, Path(min_length=1, max_length=64)]
ScopeId = Annotated[str, Path(min_length=1, max_length=128)]

router = APIRouter(tags=["integrations"])
PAYLOADS: dict[IntegrationKind, type[AlertmanagerPayload | PagerDutyPayload | GenericAlert]] = {
    "alertmanager": AlertmanagerPayload, "pagerduty": PagerDutyPayload, "generic": GenericAlert}


def _parse(model: type[BaseModel], body: bytes) -> list[Alert]:
    try:
        return model.model_validate_json(body).to_alerts()  # type: ignore[attr-defined]
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5])
        raise InvalidInput(f"not a valid payload: {fields}", code="INVALID_PAYLOAD") from exc


def _receive(container: Container, kind: IntegrationKind, integration: str | None, body: bytes,
             authorization: str | None, signature: str | None) -> WebhookResponse:
    record = container.integrations.authenticate(kind, integration, body, authorization=authorization,
                                                 signature=signature)
    container.webhook_rate_limit.admit(record.integration_id)
    alerts = _parse(PAYLOADS[kind], body)
    outcomes = container.alert_intake.receive(record, alerts)
    return WebhookResponse(integration_id=record.integration_id,
                           alerts=[WebhookAlert(**asdict(o)) for o in outcomes])


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise TooLarge(f"a webhook body may be at most {MAX_WEBHOOK_BYTES} bytes", code="PAYLOAD_TOO_LARGE")
    return body


def _webhook(kind: IntegrationKind, summary: str) -> Callable[..., object]:
    async def receive(request: Request, container: ContainerDep, integration: IntegrationParam = None,
                      authorization: Annotated[str | None, Header()] = None,
                      x_pagerduty_signature: Annotated[str | None, Header()] = None) -> WebhookResponse:
        body = await _body(request)
        return await run_in_threadpool(_receive, container, kind, integration, body, authorization,
                                       x_pagerduty_signature)

    receive.__doc__ = summary
    return receive


for _kind, _summary in (
        ("alertmanager", "Alertmanager webhook (payload version 4); `Authorization: Bearer <secret>`."),
        ("pagerduty", "PagerDuty v3 webhook; verified by `X-PagerDuty-Signature` (HMAC-SHA256 with the secret)."),
        ("generic", "FaultMaven's generic alert shape (docs/INTEGRATIONS.md); `Authorization: Bearer <secret>`.")):
    router.add_api_route(f"{WEBHOOKS}/{_kind}", _webhook(_kind, _summary), methods=["POST"],  # type: ignore[arg-type]
                         response_model=WebhookResponse, name=f"webhook_{_kind}")


# -- admin ------------------------------------------------------------------------------------------------------
@router.post(f"{ADMIN}/integrations", response_model=IntegrationWithSecret, status_code=status.HTTP_201_CREATED)
def create_integration(body: IntegrationCreateRequest, _: AdminPrincipal,
                       container: ContainerDep) -> IntegrationWithSecret:
    """A new integration and its secret (shown this once)."""
    return IntegrationWithSecret.of(container.integrations.create(body.kind, body.owner, body.name, body.secret))


@router.get(f"{ADMIN}/integrations", response_model=IntegrationList)
def list_integrations(_: AdminPrincipal, container: ContainerDep) -> IntegrationList:
    return IntegrationList(integrations=[IntegrationView.of(r) for r in container.integrations.list()])


@router.post(f"{ADMIN}/integrations/{{integration_id}}/rotate", response_model=IntegrationWithSecret)
def rotate_integration(integration_id: IntegrationId, _: AdminPrincipal, container: ContainerDep,
                       body: IntegrationRotateRequest | None = None) -> IntegrationWithSecret:
    """A new secret (generated, or the sender's own in the body); the old one stops working at once."""
    secret = body.secret if body is not None else None
    return IntegrationWithSecret.of(container.integrations.rotate(integration_id, secret))


@router.delete(f"{ADMIN}/integrations/{{integration_id}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_integration(integration_id: IntegrationId, _: AdminPrincipal, container: ContainerDep) -> Response:
    container.integrations.delete(integration_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(f"{ADMIN}/notifications/{{scope_id}}", response_model=NotificationSettingsView)
def put_notification_settings(scope_id: ScopeId, body: NotificationSettingsRequest, _: AdminPrincipal,
                              container: ContainerDep) -> NotificationSettingsView:
    """Where the scope's (a user's id, for now) notifications go; replaces what was set."""
    s = container.settings
    if body.slack_webhook_url:
        try:
            check_outbound_url(body.slack_webhook_url, s.notify_allowed_hosts, allow_loopback=s.notify_allow_loopback,
                               resolve=False)
        except OutboundRefused as exc:
            raise InvalidInput(f"slack_webhook_url: {exc}", code="URL_NOT_ALLOWED") from exc
    if bool(body.pagerduty_api_token) != bool(body.pagerduty_from_email):
        raise InvalidInput("pagerduty_api_token and pagerduty_from_email go together", code="INVALID_SETTINGS")
    if body.slack_bot_token and not body.slack_channel:
        raise InvalidInput("a Slack bot token needs slack_channel", code="INVALID_SETTINGS")
    settings = NotificationSettings(scope_id=scope_id, **body.model_dump())
    container.integration_store.save_settings(settings)
    return NotificationSettingsView.of(settings)


@router.get(f"{ADMIN}/notifications/{{scope_id}}", response_model=NotificationSettingsView)
def get_notification_settings(scope_id: ScopeId, _: AdminPrincipal,
                              container: ContainerDep) -> NotificationSettingsView:
    settings = container.integration_store.settings(scope_id) or NotificationSettings(scope_id=scope_id)
    return NotificationSettingsView.of(settings)


@router.get(f"{ADMIN}/dead-letters", response_model=DeadLetterList)
def list_dead_letters(_: AdminPrincipal, container: ContainerDep,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DeadLetterList:
    """Notifications that were never delivered, newest first."""
    return DeadLetterList(dead_letters=container.integration_store.dead_letters(limit))
