"""Alerts in, over real HTTP: the senders' documented payloads posted to the embedded server (uvicorn in a thread),
notifications out to receiver servers the test starts.

Proves issue #20's first "Done when": the same Alertmanager payload sent three times (at once) yields one case with
the alert; a bad signature is a 401; a resolved alert is noted; the first triage cites the matching runbook.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from faultmaven.container import Container
from faultmaven.integrations.registry import pagerduty_signature
from faultmaven.settings import Settings
from local.server import build_app
from tests.api.test_knowledge_api import sign_in_with_roles
from tests.conftest import SignedIn
from tests.support.live_server import LiveServer
from tests.support.receiver import Receiver
from tests.support.shared_embedder import _shared_embedder, embedder  # noqa: F401 (fixtures)

KB = Path(__file__).resolve().parents[1] / "fixtures" / "rca_kb"
RUNBOOKS = ("cluster-monitoring-operator/NodeFilesystemSpaceFillingUp.md",
            "cluster-monitoring-operator/KubeNodeNotReady.md", "cluster-etcd-operator/etcdHighFsyncDurations.md",
            "cluster-dns-operator/CoreDNSErrorsHigh.md")

# Alertmanager's webhook payload, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config);
# the alert's labels and texts are written for this test.
FIRING = {
    "version": "4", "groupKey": "{}:{alertname=\"NodeFilesystemSpaceFillingUp\"}", "truncatedAlerts": 0,
    "status": "firing", "receiver": "faultmaven",
    "groupLabels": {"alertname": "NodeFilesystemSpaceFillingUp"},
    "commonLabels": {"alertname": "NodeFilesystemSpaceFillingUp", "severity": "warning"},
    "commonAnnotations": {}, "externalURL": "http://alertmanager.example:9093",
    "alerts": [{
        "status": "firing",
        "labels": {"alertname": "NodeFilesystemSpaceFillingUp", "severity": "warning", "instance": "worker-3:9100",
                   "mountpoint": "/var", "device": "/dev/nvme0n1p4"},
        "annotations": {"summary": "Filesystem is predicted to run out of space within the next 24 hours.",
                        "description": "The filesystem mounted at /var on worker-3 has 6% space left and is "
                                       "filling up fast.",
                        "runbook_url": "https://runbooks.example/NodeFilesystemSpaceFillingUp.md"},
        "startsAt": "2026-12-05T04:10:00Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=node_filesystem_avail_bytes",
        "fingerprint": "6b2c1f0e9d8a7b65"}],
}


def resolved_of(payload: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(payload)
    out["status"] = "resolved"
    for alert in out["alerts"]:
        alert["status"], alert["endsAt"] = "resolved", "2026-12-05T05:02:00Z"
    return out


# A PagerDuty v3 webhook event (developer.pagerduty.com/docs/webhooks/v3-overview), written for this test.
def pagerduty_event(event_type: str, incident_id: str = "Q1FAULTMVN", title: str = "etcd fsync latency high") -> dict:
    return {"event": {
        "id": "01DEN0EXAMPLE", "event_type": event_type, "resource_type": "incident",
        "occurred_at": "2026-12-05T04:20:00.000Z", "agent": {"type": "user_reference"}, "client": None,
        "data": {"id": incident_id, "type": "incident", "self": f"https://api.pagerduty.com/incidents/{incident_id}",
                 "html_url": f"https://acme.pagerduty.com/incidents/{incident_id}", "number": 42,
                 "status": "triggered" if event_type == "incident.triggered" else "resolved",
                 "incident_key": "etcd-fsync", "created_at": "2026-12-05T04:19:00Z", "title": title,
                 "service": {"id": "PSVC1", "type": "service_reference", "summary": "etcd"},
                 "assignees": [], "escalation_policy": {"id": "PEP1", "type": "escalation_policy_reference"},
                 "teams": [], "priority": None, "urgency": "high", "conference_bridge": None,
                 "resolve_reason": None}}}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(mode="embedded", data_dir=tmp_path / "data", notify_allow_loopback=True,
                    notify_allowed_hosts=["127.0.0.1"], notify_backoff_seconds=0.01, notify_max_attempts=3)


@pytest.fixture
def admin(client: TestClient, container: Container) -> SignedIn:
    return sign_in_with_roles(client, container, "root", ["user", "admin"])


@pytest.fixture
def server(container: Container) -> Iterator[str]:
    with LiveServer(build_app(container.settings)) as live:
        yield live.base_url


def integration(client: TestClient, admin: SignedIn, kind: str, owner: str = "alice") -> dict[str, Any]:
    r = client.post("/api/v1/admin/integrations", headers=admin.headers, json={"kind": kind, "owner": owner})
    assert r.status_code == 201, r.text
    return r.json()


def post(server: str, created: dict[str, Any], payload: dict[str, Any], secret: str | None = None,
         signature: str | None = None) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if created["kind"] == "pagerduty":
        signed = pagerduty_signature(secret or created["secret"], body)
        headers["X-PagerDuty-Signature"] = signature if signature is not None else signed
    else:
        headers["Authorization"] = f"Bearer {secret or created['secret']}"
    return httpx.post(f"{server}{created['webhook_path']}", content=body, headers=headers, timeout=60)


def upload_runbooks(client: TestClient, owner: SignedIn) -> None:
    for name in RUNBOOKS:
        path = KB / name
        r = client.post("/api/v1/knowledge/documents?wait=true", headers=owner.headers,
                        files={"file": (path.name, path.read_bytes())},
                        data={"title": path.stem, "document_type": "runbook"})
        assert r.status_code == 201 and r.json()["status"] == "indexed", r.text


def alert_cases(client: TestClient, owner: SignedIn) -> list[dict[str, Any]]:
    r = client.get("/api/v1/cases?limit=50", headers=owner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    cases = body["cases"] if isinstance(body, dict) else body
    return [c for c in cases if c.get("source") == "alert"]


def messages(client: TestClient, owner: SignedIn, case_id: str) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/cases/{case_id}/messages?limit=100", headers=owner.headers)
    assert r.status_code == 200, r.text
    return r.json()["messages"]


def test_three_identical_alerts_at_once_open_one_case_with_the_alert_and_the_runbook_cited(
        client: TestClient, server: str, admin: SignedIn, alice: SignedIn) -> None:
    upload_runbooks(client, alice)
    created = integration(client, admin, "alertmanager")
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda _: post(server, created, FIRING), range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    outcomes = [a.json()["alerts"][0] for a in answers]
    assert len({o["case_id"] for o in outcomes}) == 1
    assert sorted(o["action"] for o in outcomes) == ["duplicate", "duplicate", "opened"]
    opened = next(o for o in outcomes if o["action"] == "opened")
    assert opened["runbook"] == "NodeFilesystemSpaceFillingUp"

    cases = alert_cases(client, alice)
    assert [c["case_id"] for c in cases] == [opened["case_id"]]
    case_id = opened["case_id"]
    case = client.get(f"/api/v1/cases/{case_id}", headers=alice.headers).json()
    assert case["title"] == "NodeFilesystemSpaceFillingUp" and "filling up fast" in case["description"]

    files = client.get(f"/api/v1/cases/{case_id}/uploaded-files", headers=alice.headers).json()["files"]
    assert len(files) == 1  # the repeats were the same alert: one evidence file
    raw = client.get(f"/api/v1/cases/{case_id}/uploaded-files/{files[0]['file_id']}/content", headers=alice.headers)
    stored = json.loads(raw.content)
    assert stored["labels"]["mountpoint"] == "/var" and stored["annotations"]["summary"].startswith("Filesystem")
    assert stored["links"]["generatorURL"].startswith("http://prometheus.example")
    assert stored["links"]["runbook_url"].endswith("NodeFilesystemSpaceFillingUp.md")
    assert stored["starts_at"] == "2026-12-05T04:10:00Z" and stored["ends_at"] is None

    triage = [m for m in messages(client, alice, case_id) if m["role"] == "assistant"]
    assert len(triage) == 1 and "**NodeFilesystemSpaceFillingUp**" in triage[0]["content"]
    assert alert_cases(client, admin) == []  # the case is the integration owner's, nobody else's


def test_a_resolved_alert_is_noted_and_the_next_firing_opens_a_new_case(
        client: TestClient, server: str, admin: SignedIn, alice: SignedIn) -> None:
    created = integration(client, admin, "alertmanager")
    first = post(server, created, FIRING).json()["alerts"][0]
    resolved = post(server, created, resolved_of(FIRING))
    assert resolved.status_code == 200 and resolved.json()["alerts"][0] == {
        "fingerprint": "6b2c1f0e9d8a7b65", "status": "resolved", "action": "resolved", "case_id": first["case_id"],
        "runbook": None}
    notes = [m for m in messages(client, alice, first["case_id"]) if m["role"] == "system"]
    assert len(notes) == 1 and "Alert resolved: NodeFilesystemSpaceFillingUp" in notes[0]["content"]
    assert "2026-12-05T05:02:00Z" in notes[0]["content"]
    again = post(server, created, resolved_of(FIRING)).json()["alerts"][0]
    assert again["action"] == "ignored"  # a repeated resolution is not noted twice
    refired = post(server, created, FIRING).json()["alerts"][0]
    assert refired["action"] == "opened" and refired["case_id"] != first["case_id"]


def test_bad_signatures_and_secrets_are_401_and_open_nothing(
        client: TestClient, server: str, admin: SignedIn, alice: SignedIn) -> None:
    pd = integration(client, admin, "pagerduty")
    am = integration(client, admin, "alertmanager")
    triggered = pagerduty_event("incident.triggered")
    assert post(server, pd, triggered, signature="v1=" + "0" * 64).status_code == 401
    assert post(server, pd, triggered, secret="not-the-secret").status_code == 401
    assert post(server, pd, triggered, signature="").status_code == 401
    assert post(server, am, FIRING, secret="wrong").status_code == 401
    wrong_kind = {**am, "kind": "alertmanager", "webhook_path": f"/api/v1/webhooks/generic?integration="
                                                                f"{am['integration_id']}"}
    assert post(server, wrong_kind, {"title": "x"}).status_code == 401
    unknown = {**am, "webhook_path": "/api/v1/webhooks/alertmanager?integration=int_nope"}
    r = post(server, unknown, FIRING)
    assert r.status_code == 401 and r.json()["code"] == "BAD_SIGNATURE"
    assert alert_cases(client, alice) == []

    # Several signatures (a secret being rotated): any one may match.
    body = json.dumps(triggered).encode()
    both = f"v1={'a' * 64}, {pagerduty_signature(pd['secret'], body)}"
    ok = httpx.post(f"{server}{pd['webhook_path']}", content=body, headers={"X-PagerDuty-Signature": both})
    assert ok.status_code == 200 and ok.json()["alerts"][0]["action"] == "opened"

    rotated = client.post(f"/api/v1/admin/integrations/{pd['integration_id']}/rotate", headers=admin.headers).json()
    assert post(server, pd, triggered).status_code == 401  # the old secret stopped working
    assert post(server, rotated, triggered).json()["alerts"][0]["action"] == "duplicate"

    # PagerDuty makes its subscription's secret: the admin gives it, at creation and when PagerDuty rotates it.
    theirs = "pd-subscription-secret-0123456789"
    r = client.post("/api/v1/admin/integrations", headers=admin.headers,
                    json={"kind": "pagerduty", "owner": "alice", "secret": theirs})
    assert r.status_code == 201 and r.json()["secret"] == theirs
    given = r.json()
    assert post(server, given, pagerduty_event("incident.triggered", "Q2OTHER")).status_code == 200
    rotate = f"/api/v1/admin/integrations/{given['integration_id']}/rotate"
    assert client.post(rotate, headers=admin.headers, json={"secret": "short"}).status_code == 422
    client.post(rotate, headers=admin.headers, json={"secret": theirs + "-next"})
    assert post(server, given, pagerduty_event("incident.resolved", "Q2OTHER")).status_code == 401
    assert post(server, given, pagerduty_event("incident.resolved", "Q2OTHER"),
                secret=theirs + "-next").json()["alerts"][0]["action"] == "resolved"


def test_bad_payloads_are_400_not_500(client: TestClient, server: str, admin: SignedIn, alice: SignedIn) -> None:
    am = integration(client, admin, "alertmanager")
    generic = integration(client, admin, "generic")
    for payload in ({**FIRING, "version": "3"}, {**FIRING, "alerts": []}, {"version": "4"}):
        r = post(server, am, payload)
        assert r.status_code == 400 and r.json()["code"] == "INVALID_PAYLOAD", r.text
    body = b"{not json"
    r = httpx.post(f"{server}{am['webhook_path']}", content=body, headers={"Authorization": f"Bearer {am['secret']}"})
    assert r.status_code == 400
    assert post(server, generic, {"status": "firing"}).status_code == 400  # no title
    assert alert_cases(client, alice) == []


def test_generic_alerts_and_other_pagerduty_events(client: TestClient, server: str, admin: SignedIn,
                                                   alice: SignedIn) -> None:
    generic = integration(client, admin, "generic")
    alert = {"title": "Checkout 5xx rate above 5%", "description": "HTTP 503 from checkout since 04:00",
             "fingerprint": "checkout-5xx", "labels": {"service": "checkout"},
             "links": {"dashboard": "https://grafana.example/d/checkout"}}
    first = post(server, generic, alert).json()["alerts"][0]
    assert first["action"] == "opened"
    changed = post(server, generic, {**alert, "description": "still failing, now 12%"}).json()["alerts"][0]
    assert (changed["action"], changed["case_id"]) == ("updated", first["case_id"])  # the new details are added
    assert post(server, generic, {**alert, "status": "resolved"}).json()["alerts"][0]["action"] == "resolved"

    pd = integration(client, admin, "pagerduty")
    acknowledged = post(server, pd, pagerduty_event("incident.acknowledged"))
    assert acknowledged.status_code == 200 and acknowledged.json()["alerts"] == []
    # The ping PagerDuty sends when a subscription is made or tested.
    ping = {"event": {"id": "01PING", "event_type": "pagey.ping", "resource_type": "pagey",
                      "occurred_at": "2026-12-05T04:00:00Z", "agent": None, "client": None,
                      "data": {"message": "Hello from your friend Pagey!", "type": "ping"}}}
    assert post(server, pd, ping).json()["alerts"] == []
    incidentless = {"event": {"event_type": "incident.triggered", "resource_type": "incident", "data": {}}}
    r = post(server, pd, incidentless)
    assert r.status_code == 400 and r.json()["code"] == "INVALID_PAYLOAD"


def test_case_open_and_resolve_notify_slack_and_pagerduty_through_a_failing_receiver(
        client: TestClient, server: str, admin: SignedIn, alice: SignedIn, container: Container) -> None:
    pd = integration(client, admin, "pagerduty")
    with Receiver(fail_first=1) as slack, Receiver() as pagerduty:
        container.settings.pagerduty_api_url = pagerduty.base_url
        r = client.put(f"/api/v1/admin/notifications/{alice.user_id}", headers=admin.headers,
                       json={"slack_webhook_url": f"{slack.base_url}/services/T1/B1/x",
                             "pagerduty_api_token": "pd-token-123", "pagerduty_from_email": "sre@example.com"})
        assert r.status_code == 200 and r.json()["slack_webhook_url_set"] is True
        assert "pd-token-123" not in r.text
        secret_title = "db login failing: postgres://admin:S3cr3tPassw0rd@db-1:5432/app"
        opened = post(server, pd, pagerduty_event("incident.triggered", title=secret_title)).json()["alerts"][0]
        assert opened["action"] == "opened"
        case_url = f"/api/v1/cases/{opened['case_id']}"
        slack.wait_for(1)  # the messages below come in order
        for state in ("investigating", "resolved"):  # the engineer moves the case on
            assert client.put(case_url, headers=alice.headers, json={"state": state}).status_code == 200
            slack.wait_for(2 if state == "investigating" else 3)
        assert post(server, pd, pagerduty_event("incident.resolved")).json()["alerts"][0]["action"] == "resolved"

        slack_messages = slack.wait_for(4)
        notes = pagerduty.wait_for(2)
    assert slack.attempts == 5  # the first try failed with a 500 and was retried
    headlines = [m["json"]["text"].split(":")[0] for m in slack_messages]
    assert headlines == ["Case opened from an alert", "Case moved on", "Case resolved", "Alert resolved"]
    assert "State: investigating" in json.dumps(slack_messages[1]["json"]["blocks"])
    assert len(notes) == 2  # PagerDuty notes for the incident's own events: opened and resolved
    blocks = slack_messages[0]["json"]["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "actions"]
    assert blocks[2]["elements"][0]["url"].endswith(f"#/cases/{opened['case_id']}")
    assert {n["path"] for n in notes} == {"/incidents/Q1FAULTMVN/notes"}
    assert notes[0]["headers"]["authorization"] == "Token token=pd-token-123"
    assert notes[0]["headers"]["from"] == "sre@example.com"
    everything = json.dumps([m["json"] for m in slack_messages + notes])
    assert "S3cr3tPassw0rd" not in everything and "{{REDACTED:password}}" in everything


def test_undeliverable_notifications_become_dead_letters_an_admin_lists(
        client: TestClient, server: str, admin: SignedIn, alice: SignedIn, container: Container) -> None:
    generic = integration(client, admin, "generic")
    with Receiver(fail_first=100) as slack:
        client.put(f"/api/v1/admin/notifications/{alice.user_id}", headers=admin.headers,
                   json={"slack_webhook_url": f"{slack.base_url}/hook"})
        post(server, generic, {"title": "Queue depth high"})
        letters: list[dict[str, Any]] = []
        for _ in range(300):
            letters = client.get("/api/v1/admin/dead-letters", headers=admin.headers).json()["dead_letters"]
            if letters:
                break
            slack.wait_for(1, timeout=0.05)
    assert slack.attempts == 3
    assert len(letters) == 1 and (letters[0]["channel"], letters[0]["event"], letters[0]["attempts"],
                                  letters[0]["error"]) == ("slack", "opened", 3, "HTTP 500")
    assert client.get("/api/v1/admin/dead-letters", headers=alice.headers).status_code == 403


def test_notification_urls_off_the_allow_list_are_refused(client: TestClient, admin: SignedIn,
                                                          alice: SignedIn) -> None:
    for url in ("https://evil.example/hook", "ftp://127.0.0.1/hook", "http://169.254.169.254/latest"):
        r = client.put(f"/api/v1/admin/notifications/{alice.user_id}", headers=admin.headers,
                       json={"slack_webhook_url": url})
        assert r.status_code == 400 and r.json()["code"] == "URL_NOT_ALLOWED", url


def test_integrations_are_admin_only_and_secrets_are_not_listed(client: TestClient, admin: SignedIn,
                                                                alice: SignedIn) -> None:
    created = integration(client, admin, "generic")
    assert client.post("/api/v1/admin/integrations", headers=alice.headers,
                       json={"kind": "generic", "owner": "alice"}).status_code == 403
    assert client.post("/api/v1/admin/integrations", headers=admin.headers,
                       json={"kind": "generic", "owner": "nobody"}).status_code == 400
    listed = client.get("/api/v1/admin/integrations", headers=admin.headers)
    assert created["integration_id"] in listed.text and created["secret"] not in listed.text
    assert client.delete(f"/api/v1/admin/integrations/{created['integration_id']}",
                         headers=admin.headers).status_code == 204
    assert client.delete(f"/api/v1/admin/integrations/{created['integration_id']}",
                         headers=admin.headers).status_code == 404


def test_an_alert_whose_case_was_deleted_or_closed_opens_a_new_one(
        client: TestClient, server: str, admin: SignedIn, alice: SignedIn, container: Container) -> None:
    container.alert_intake._sleep = lambda _: None  # the moment a missing case is waited for (it may be opening)
    created = integration(client, admin, "generic")
    alert = {"title": "Replica lag above 30s", "fingerprint": "replica-lag"}
    first = post(server, created, alert).json()["alerts"][0]
    assert client.delete(f"/api/v1/cases/{first['case_id']}", headers=alice.headers).status_code == 204
    second = post(server, created, alert).json()["alerts"][0]
    assert second["action"] == "opened" and second["case_id"] != first["case_id"]
    assert client.post(f"/api/v1/cases/{second['case_id']}/close", headers=alice.headers, json={}).status_code == 200
    third = post(server, created, alert).json()["alerts"][0]
    assert third["action"] == "opened" and third["case_id"] not in (first["case_id"], second["case_id"])
    assert len(alert_cases(client, alice)) == 2


def test_webhooks_are_rate_limited_per_integration(client: TestClient, server: str, admin: SignedIn,
                                                   alice: SignedIn, container: Container) -> None:
    container.settings.webhook_rate_limit_per_minute = 2
    busy, other = integration(client, admin, "generic"), integration(client, admin, "generic")
    answers = [post(server, busy, {"title": f"alert {n}"}).status_code for n in range(3)]
    assert answers == [200, 200, 429]
    assert post(server, other, {"title": "elsewhere"}).status_code == 200
    assert client.get("/api/v1/meta/capabilities").json()["features"]["integrations"] is True
