"""What a notification says: a Slack Block Kit message and a PagerDuty note for a case event, every text run
through the sanitizer first (a case title or an alert's description may quote a secret)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from faultmaven.sanitize import Sanitizer

CaseEvent = Literal["opened", "stage", "resolved", "alert_resolved"]
Channel = Literal["slack", "pagerduty"]

_HEADLINES = {"opened": "Case opened from an alert", "stage": "Case moved on", "resolved": "Case resolved",
              "alert_resolved": "Alert resolved"}


class NotificationJob(BaseModel):
    """One message to deliver. It carries no credential: those are read from the scope's settings on delivery."""

    job_id: str
    scope_id: str
    channel: Channel
    event: CaseEvent
    case_id: str
    incident_id: str | None = None  # PagerDuty notes go on this incident
    message: dict[str, Any]  # Slack: the chat payload (text + blocks); PagerDuty: {"content": ...}


def case_texts(sanitizer: Sanitizer, event: CaseEvent, case_title: str, detail: str, link: str) -> dict[str, str]:
    clean = sanitizer.sanitize
    return {"headline": _HEADLINES[event], "title": clean(case_title).text[:150],
            "detail": clean(detail).text[:2500], "link": link}


def slack_message(texts: dict[str, str]) -> dict[str, Any]:
    fallback = f"{texts['headline']}: {texts['title']}"
    section = f"*{texts['headline']}*\n{texts['detail']}" if texts["detail"] else f"*{texts['headline']}*"
    return {"text": fallback, "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": texts["title"] or texts["headline"]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": section}},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open case"},
                                          "url": texts["link"]}]},
    ]}


def pagerduty_note(texts: dict[str, str]) -> dict[str, Any]:
    parts = [f"FaultMaven: {texts['headline']} - {texts['title']}", texts["detail"], texts["link"]]
    return {"content": "\n".join(p for p in parts if p)[:25000]}
