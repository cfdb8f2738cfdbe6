"""The senders' documented payloads, and the one `Alert` each becomes.

- Alertmanager: the webhook receiver's payload, version 4 (one notification carries a group of alerts).
- PagerDuty: a v3 webhook event; `incident.triggered` fires, `incident.resolved` resolves, other events are ignored.
- Generic: FaultMaven's own shape (docs/INTEGRATIONS.md) for any tool that can post JSON.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AlertStatus = Literal["firing", "resolved"]
_TEXT = 4000  # longest name/description kept from a sender


@dataclass(frozen=True)
class Alert:
    """One alert, whatever sent it. `fingerprint` is stable across repeats of the same alert."""

    source: str
    status: AlertStatus
    fingerprint: str
    name: str
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # e.g. generatorURL, runbook_url, the incident's page
    starts_at: str | None = None
    ends_at: str | None = None
    incident_id: str | None = None  # PagerDuty's incident, for notes on it

    def evidence(self) -> dict[str, Any]:
        """What the case keeps about the alert (its evidence file)."""
        return {"source": self.source, "status": self.status, "fingerprint": self.fingerprint, "name": self.name,
                "description": self.description, "labels": self.labels, "annotations": self.annotations,
                "links": self.links, "starts_at": self.starts_at, "ends_at": self.ends_at,
                "incident_id": self.incident_id}


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def _zero_time(value: str | None) -> str | None:
    """Alertmanager sends 0001-01-01T00:00:00Z for "no end yet"."""
    return None if not value or value.startswith("0001-01-01") else value


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AlertmanagerAlert(_Lenient):
    status: AlertStatus
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: str | None = None
    endsAt: str | None = None
    generatorURL: str | None = None
    fingerprint: str | None = Field(default=None, max_length=256)


class AlertmanagerPayload(_Lenient):
    version: Literal["4"]
    status: AlertStatus
    receiver: str = ""
    groupKey: str = ""
    externalURL: str | None = None
    alerts: list[AlertmanagerAlert] = Field(min_length=1, max_length=1000)

    def to_alerts(self) -> list[Alert]:
        out = []
        for a in self.alerts:
            name = a.labels.get("alertname") or "Alert"
            description = a.annotations.get("description") or a.annotations.get("summary") or ""
            links = {k: v for k, v in (("generatorURL", a.generatorURL),
                                       ("runbook_url", a.annotations.get("runbook_url")),
                                       ("externalURL", self.externalURL)) if v}
            out.append(Alert(source="alertmanager", status=a.status,
                             fingerprint=a.fingerprint or _fingerprint(sorted(a.labels.items())),
                             name=name[:_TEXT], description=description[:_TEXT], labels=a.labels,
                             annotations=a.annotations, links=links, starts_at=_zero_time(a.startsAt),
                             ends_at=_zero_time(a.endsAt)))
        return out


class PagerDutyIncident(_Lenient):
    id: str = Field(min_length=1, max_length=64)
    type: str = "incident"
    title: str = ""
    html_url: str | None = None
    self_: str | None = Field(default=None, alias="self")
    status: str | None = None
    urgency: str | None = None
    incident_key: str | None = None
    created_at: str | None = None
    service: dict[str, Any] | None = None
    priority: dict[str, Any] | None = None


class PagerDutyEvent(_Lenient):
    id: str = ""
    event_type: str
    resource_type: str = ""
    occurred_at: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)  # an incident for incident events; a ping's is a message


class PagerDutyPayload(_Lenient):
    event: PagerDutyEvent

    def to_alerts(self) -> list[Alert]:
        """A triggered incident fires and a resolved one resolves; acknowledgements, notes, the subscription's ping
        and the rest are not alerts. Raises pydantic's ValidationError for an incident event without an incident."""
        event = self.event
        status: AlertStatus | None = {"incident.triggered": "firing", "incident.resolved": "resolved"}.get(
            event.event_type)  # type: ignore[assignment]
        if status is None or event.resource_type not in ("", "incident"):
            return []
        incident = PagerDutyIncident.model_validate(event.data)
        labels = {k: str(v) for k, v in (("service", (incident.service or {}).get("summary")),
                                         ("urgency", incident.urgency),
                                         ("priority", (incident.priority or {}).get("summary"))) if v}
        links = {"html_url": incident.html_url} if incident.html_url else {}
        return [Alert(source="pagerduty", status=status, fingerprint=incident.id,
                      name=(incident.title or f"PagerDuty incident {incident.id}")[:_TEXT], labels=labels,
                      links=links, starts_at=incident.created_at,
                      ends_at=event.occurred_at if status == "resolved" else None, incident_id=incident.id)]


class GenericAlert(_Lenient):
    """FaultMaven's generic alert (docs/INTEGRATIONS.md)."""

    title: str = Field(min_length=1, max_length=_TEXT)
    status: AlertStatus = "firing"
    description: str = Field(default="", max_length=_TEXT)
    fingerprint: str | None = Field(default=None, min_length=1, max_length=256)
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    links: dict[str, str] = Field(default_factory=dict)
    starts_at: str | None = None
    ends_at: str | None = None

    def to_alerts(self) -> list[Alert]:
        return [Alert(source="generic", status=self.status,
                      fingerprint=self.fingerprint or _fingerprint(self.title, sorted(self.labels.items())),
                      name=self.title, description=self.description, labels=self.labels,
                      annotations=self.annotations, links=self.links, starts_at=self.starts_at,
                      ends_at=self.ends_at)]
