"""What an alert does to cases.

A firing alert opens a case owned by the integration's owner, or adds to the open case its fingerprint already
points at: the fingerprint → case link is claimed atomically before the case is made (a conditional write in
DynamoDB, a guarded insert in SQLite), so repeats and retries sent at once find one case. The alert's labels,
annotations, links and times are kept as an evidence file (identical repeats are deduplicated by the evidence
service; a repeat that arrives while its case is being opened leaves the evidence to the request opening it),
and a new case gets a first triage: the knowledge base searched with the alert's name and description
(the copilot's own knowledge search), the best runbook cited in a message on the case. A resolved alert adds a
note to its case and releases the link, so the next firing opens a new case.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from faultmaven.auth.service import Principal
from faultmaven.cases.model import Case
from faultmaven.cases.service import CaseService
from faultmaven.clock import iso, new_id, now
from faultmaven.copilot.case_knowledge import CaseKnowledge
from faultmaven.copilot.vault import RedactionVault
from faultmaven.evidence.service import EvidenceService
from faultmaven.integrations.notifier import Notifier
from faultmaven.integrations.payloads import Alert
from faultmaven.knowledge.documents import Reader
from faultmaven.ports.integrations import IntegrationRecord, IntegrationStore
from faultmaven.ports.users import UserRepository
from faultmaven.sanitize import Sanitizer

Action = Literal["opened", "updated", "duplicate", "resolved", "ignored"]
_WAIT_FOR_CASE = (0.05, 60)  # pause and tries while a linked case is still being written (3 s in all)


@dataclass(frozen=True)
class AlertOutcome:
    fingerprint: str
    status: str
    action: Action
    case_id: str | None = None
    runbook: str | None = None  # the first triage's best runbook (a new case only)


class AlertIntake:
    def __init__(self, store: IntegrationStore, users: UserRepository, cases: CaseService,
                 evidence: EvidenceService, knowledge: CaseKnowledge, vault: RedactionVault, sanitizer: Sanitizer,
                 notifier: Notifier, *, readers: Callable[[Principal], Reader],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """`readers` gives the owner as the knowledge base sees them (their teams' runbooks count in the triage)."""
        self.store = store
        self.readers = readers
        self.users = users
        self.cases = cases
        self.evidence = evidence
        self.knowledge = knowledge
        self.vault = vault
        self.sanitizer = sanitizer
        self.notifier = notifier
        self._sleep = sleep

    def receive(self, integration: IntegrationRecord, alerts: list[Alert]) -> list[AlertOutcome]:
        owner = self._owner(integration.owner_id)
        return [self._fired(integration, owner, a) if a.status == "firing" else self._resolved(integration, owner, a)
                for a in alerts]

    def _owner(self, user_id: str) -> Principal:
        user = self.users.get(user_id)
        roles = tuple(user.roles) if user is not None else ()
        return Principal(user_id=user_id, username=user.username if user is not None else "", roles=roles)

    @staticmethod
    def _link_key(integration: IntegrationRecord, alert: Alert) -> str:
        return f"{integration.integration_id}:{alert.fingerprint}"

    def _fired(self, integration: IntegrationRecord, owner: Principal, alert: Alert) -> AlertOutcome:
        key = self._link_key(integration, alert)
        linked = self.store.linked_case(owner.user_id, key)
        if linked is not None:
            case, opening = self._linked_case(owner.user_id, linked)
            if case is not None and opening:  # like a repeat that lost the race below
                return AlertOutcome(alert.fingerprint, alert.status, "duplicate", case.case_id)
            if case is not None and not case.is_terminal:
                return self._add_to(owner, case, alert)
        case_id = new_id("case_")
        won = self.store.link_alert(owner.user_id, key, case_id, replacing=linked)
        if won != case_id:  # a repeat sent at the same moment is opening it, and keeps this alert's evidence
            return AlertOutcome(alert.fingerprint, alert.status, "duplicate", won)
        try:
            case = self.cases.create(owner.user_id, title=alert.name, description=alert.description, source="alert",
                                     case_id=case_id)
            self._attach(owner, case, alert)
            runbook = self._triage(owner, case, alert)
        except BaseException:
            self.store.unlink_alert(owner.user_id, key, case_id)  # the sender's retry starts afresh
            raise
        self.notifier.case_event(owner.user_id, "opened", case, self._detail(alert, runbook), alert.incident_id)
        return AlertOutcome(alert.fingerprint, alert.status, "opened", case.case_id, runbook)

    def _resolved(self, integration: IntegrationRecord, owner: Principal, alert: Alert) -> AlertOutcome:
        key = self._link_key(integration, alert)
        linked = self.store.linked_case(owner.user_id, key)
        if linked is None or not self.store.unlink_alert(owner.user_id, key, linked):
            return AlertOutcome(alert.fingerprint, alert.status, "ignored")
        case = self.cases.repo.get(owner.user_id, linked)
        if case is None:
            return AlertOutcome(alert.fingerprint, alert.status, "ignored")
        try:
            self._attach(owner, case, alert)
            note = self.sanitizer.sanitize(f"Alert resolved: {alert.name} (ended {alert.ends_at or iso(now())}).")
            self.cases.append_message(owner.user_id, case.case_id, "system", note.text, case.current_turn,
                                      {"alert": "resolved", "fingerprint": alert.fingerprint})
        except BaseException:
            self.store.link_alert(owner.user_id, key, linked)  # not noted: the sender's retry notes it
            raise
        self.notifier.case_event(owner.user_id, "alert_resolved", case, self._detail(alert, None), alert.incident_id)
        return AlertOutcome(alert.fingerprint, alert.status, "resolved", case.case_id)

    def _add_to(self, owner: Principal, case: Case, alert: Alert) -> AlertOutcome:
        record = self._attach(owner, case, alert)
        action: Action = "duplicate" if record.duplicate_of else "updated"
        return AlertOutcome(alert.fingerprint, alert.status, action, case.case_id)

    def _linked_case(self, user_id: str, case_id: str) -> tuple[Case | None, bool]:
        """The case a link points at, and whether it was still being opened. A link is claimed just before its case
        is written and its opening alert attached, so a case missing or still without evidence is waited for a
        moment (a repeat must not attach first and pass for an update); one still missing then was deleted, or its
        opening failed."""
        pause, tries = _WAIT_FOR_CASE
        for attempt in range(tries):
            case = self.cases.repo.get(user_id, case_id)
            opened = case is not None and bool(self.evidence.repository.list_for_case(user_id, case_id))
            if opened or attempt == tries - 1:
                return case, attempt > 0
            self._sleep(pause)
        return None, False

    def _attach(self, owner: Principal, case: Case, alert: Alert):
        data = json.dumps(alert.evidence(), indent=2, sort_keys=True).encode()
        return self.evidence.attach(owner, case.case_id, f"alert-{alert.source}-{alert.name}.json", data,
                                    "application/json", case.current_turn, "file")

    def _triage(self, owner: Principal, case: Case, alert: Alert) -> str | None:
        """Search the knowledge base with the alert's name and description; cite the best runbook on the case."""
        mapping, _ = self.vault.load(owner.user_id, case.case_id)
        text = self.sanitizer.sanitize(f"{alert.name}\n{alert.description}".strip(), mapping).text
        cited = self.knowledge.cite(self.readers(owner), case, text, [], [], mapping)
        if cited.hits:
            best = cited.hits[0]
            lines = [f"First triage of the alert {text.splitlines()[0]}: the best matching runbook is "
                     f"**{best.title}**.", f"> {best.snippet}"]
            if best.first_step:
                lines.append(f"First step: {best.first_step}")
            if len(cited.hits) > 1:
                lines += ["", "Other runbooks:", *(f"- {h.title}" for h in cited.hits[1:])]
            note = "\n".join(lines)
        elif cited.searched is False:
            note = "First triage: your knowledge base has no runbooks you can see, so none is cited."
        else:
            note = "First triage: no runbook in the knowledge base matches this alert."
        self.vault.save(owner.user_id, case.case_id, mapping)
        sources = [{"document_id": h.document_id, "title": h.title, "score": round(h.score, 4)} for h in cited.hits]
        self.cases.append_message(owner.user_id, case.case_id, "assistant", self.sanitizer.sanitize(note, mapping).text,
                                  0, {"triage": True, "sources": sources})
        return cited.hits[0].title if cited.hits else None

    @staticmethod
    def _detail(alert: Alert, runbook: str | None) -> str:
        parts = [f"{alert.name}: {alert.description}" if alert.description else alert.name]
        if runbook:
            parts.append(f"Runbook: {runbook}")
        return "\n".join(parts)
