"""Delivery of notifications: each job is tried up to `max_attempts` times with exponential backoff (network
errors, 429 and 5xx are retried; other 4xx and refused URLs are not), and one that never gets through is kept as a
dead letter an admin can list. No credential is ever logged or stored with a dead letter."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from faultmaven.cases.model import stamp
from faultmaven.clock import new_id, now
from faultmaven.http.logging import logger
from faultmaven.integrations.messages import NotificationJob
from faultmaven.integrations.outbound import OutboundRefused, check_outbound_url
from faultmaven.ports.integrations import DeadLetter, IntegrationStore, NotificationSettings
from faultmaven.settings import Settings


class _Retryable(Exception):
    pass


class _Permanent(Exception):
    pass


class Deliverer:
    def __init__(self, store: IntegrationStore, settings: Settings, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.store = store
        self.settings = settings
        self._sleep = sleep

    def deliver(self, job: NotificationJob) -> bool:
        """Send the job; True once delivered, False when it ended as a dead letter."""
        s = self.settings
        error = "not attempted"
        attempts = 0
        for attempt in range(s.notify_max_attempts):
            attempts = attempt + 1
            try:
                self._send(job)
                return True
            except _Permanent as exc:
                error = str(exc)
                break
            except _Retryable as exc:
                error = str(exc)
                if attempts < s.notify_max_attempts:
                    self._sleep(s.notify_backoff_seconds * 2 ** attempt)
        logger.warning("notification dead-lettered", extra={"channel": job.channel, "event": job.event,
                                                            "attempts": attempts})
        self.store.add_dead_letter(DeadLetter(letter_id=new_id("dl_"), scope_id=job.scope_id, channel=job.channel,
                                              event=job.event, message=job.message, error=error[:500],
                                              attempts=attempts, created_at=stamp(now())))
        return False

    def _send(self, job: NotificationJob) -> None:
        target = self.store.settings(job.scope_id)
        if target is None:
            raise _Permanent("the scope has no notification settings")
        url, headers, body = self._request(job, target)
        try:
            check_outbound_url(url, self.settings.notify_allowed_hosts,
                               allow_loopback=self.settings.notify_allow_loopback)
        except OutboundRefused as exc:
            raise _Permanent(f"refused: {exc}") from exc
        try:
            with httpx.Client(timeout=self.settings.notify_timeout_seconds, follow_redirects=False) as client:
                response = client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise _Retryable(f"{type(exc).__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code >= 300:
            raise _Permanent(f"HTTP {response.status_code}")
        if job.channel == "slack" and not target.slack_webhook_url:  # the Web API answers 200 with ok: false
            try:
                answer = response.json()
            except ValueError as exc:
                raise _Permanent("Slack answered without JSON") from exc
            if not answer.get("ok", False):
                raise _Permanent(f"Slack error {str(answer.get('error', 'unknown'))[:100]}")

    def _request(self, job: NotificationJob,
                 target: NotificationSettings) -> tuple[str, dict[str, str], dict[str, object]]:
        s = self.settings
        if job.channel == "slack":
            if target.slack_webhook_url:
                return target.slack_webhook_url, {}, job.message
            if target.slack_bot_token and target.slack_channel:
                return (f"{s.slack_api_url.rstrip('/')}/chat.postMessage",
                        {"Authorization": f"Bearer {target.slack_bot_token}"},
                        {"channel": target.slack_channel, **job.message})
            raise _Permanent("Slack is not configured for this scope")
        if not (target.pagerduty_api_token and target.pagerduty_from_email and job.incident_id):
            raise _Permanent("PagerDuty is not configured for this scope")
        return (f"{s.pagerduty_api_url.rstrip('/')}/incidents/{job.incident_id}/notes",
                {"Authorization": f"Token token={target.pagerduty_api_token}", "From": target.pagerduty_from_email,
                 "Accept": "application/vnd.pagerduty+json;version=2"},
                {"note": job.message})
