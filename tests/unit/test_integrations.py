"""Integrations without HTTP on our side: the outbound gate, signatures, payload shapes, delivery's retries and
dead letters, the per-integration rate limit (both adapters), and the cloud's queue and notify worker (moto SQS)."""

from __future__ import annotations

import json
import socket

import pytest

from faultmaven.container import Container
from faultmaven.errors import RateLimited
from faultmaven.integrations.delivery import Deliverer
from faultmaven.integrations.messages import NotificationJob
from faultmaven.integrations.outbound import OutboundRefused, check_outbound_url
from faultmaven.integrations.payloads import AlertmanagerPayload, GenericAlert, PagerDutyPayload
from faultmaven.integrations.rate import WebhookRateLimit
from faultmaven.integrations.registry import bearer_matches, pagerduty_signature, signature_matches
from faultmaven.ports.integrations import NotificationSettings
from tests.support.receiver import Receiver

PUBLIC = "93.184.216.34"  # an address in public space; literals resolve offline


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "https://10.0.0.7/hook", "https://192.168.1.4/hook", "https://[::1]/hook",
    "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/hook", "https://0.0.0.0/hook",
    "https://224.0.0.1/hook"])
def test_internal_addresses_are_refused_even_when_listed(url: str) -> None:
    host = url.split("/")[2].rsplit(":", 1)[0].strip("[]") if "[" not in url else "::1"
    with pytest.raises(OutboundRefused):
        check_outbound_url(url, [host, "127.0.0.1"])


def test_the_allow_list_scheme_and_test_only_loopback() -> None:
    check_outbound_url(f"https://{PUBLIC}/hook", [PUBLIC])
    for url, hosts in ((f"http://{PUBLIC}/hook", [PUBLIC]), (f"https://{PUBLIC}/hook", ["hooks.slack.com"]),
                       ("https://evilhooks.slack.com/x", ["hooks.slack.com"]), ("https:///nohost", [PUBLIC])):
        with pytest.raises(OutboundRefused):
            check_outbound_url(url, hosts, resolve=False)
    check_outbound_url("https://a.hooks.slack.com/x", ["hooks.slack.com"], resolve=False)
    check_outbound_url("http://127.0.0.1:9/x", ["127.0.0.1"], allow_loopback=True)
    with pytest.raises(OutboundRefused):  # loopback only, not the rest of private space
        check_outbound_url("http://10.0.0.1:9/x", ["10.0.0.1"], allow_loopback=True)


def test_a_listed_name_that_resolves_inside_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, 443)),
               (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(OutboundRefused, match="non-public"):
        check_outbound_url("https://hooks.slack.com/services/x", ["hooks.slack.com"])


def test_signatures_and_bearer_secrets() -> None:
    body = b'{"event": {}}'
    good = pagerduty_signature("s3cret", body)
    assert good.startswith("v1=") and signature_matches("s3cret", body, good)
    assert signature_matches("s3cret", body, f"v1=deadbeef,{good}")
    assert not signature_matches("s3cret", body + b" ", good)
    assert not signature_matches("other", body, good) and not signature_matches("s3cret", body, None)
    assert bearer_matches("tok", "Bearer tok") and bearer_matches("tok", "bearer tok")
    assert not bearer_matches("tok", "Basic tok") and not bearer_matches("tok", "Bearer tok2")
    assert not bearer_matches("tok", None)


def test_payload_shapes_become_alerts() -> None:
    am = AlertmanagerPayload.model_validate({"version": "4", "status": "firing", "alerts": [
        {"status": "firing", "labels": {"alertname": "HighLatency", "job": "api"},
         "annotations": {"summary": "p99 above 2s"}, "startsAt": "2026-12-05T04:00:00Z",
         "endsAt": "0001-01-01T00:00:00Z"}]}).to_alerts()
    same = AlertmanagerPayload.model_validate({"version": "4", "status": "firing", "alerts": [
        {"status": "firing", "labels": {"job": "api", "alertname": "HighLatency"}}]}).to_alerts()
    assert am[0].name == "HighLatency" and am[0].description == "p99 above 2s" and am[0].ends_at is None
    assert am[0].fingerprint == same[0].fingerprint  # without Alertmanager's fingerprint: one from the labels
    pd = {"event": {"event_type": "incident.annotated", "resource_type": "incident", "data": {"id": "P1"}}}
    assert PagerDutyPayload.model_validate(pd).to_alerts() == []
    pd["event"]["event_type"] = "incident.resolved"
    [resolved] = PagerDutyPayload.model_validate(pd).to_alerts()
    assert (resolved.status, resolved.fingerprint, resolved.incident_id) == ("resolved", "P1", "P1")
    [generic] = GenericAlert.model_validate({"title": "Disk full", "labels": {"host": "db-1"}}).to_alerts()
    assert generic.status == "firing" and len(generic.fingerprint) == 32


def _job(scope: str = "u1", channel: str = "slack") -> NotificationJob:
    return NotificationJob(job_id="job_1", scope_id=scope, channel=channel, event="opened", case_id="case_1",
                           incident_id="P1", message={"text": "hello"})


@pytest.fixture
def delivery(container: Container) -> tuple[Container, list[float]]:
    container.settings.notify_allowed_hosts = ["127.0.0.1"]
    container.settings.notify_allow_loopback = True
    container.settings.notify_backoff_seconds = 0.5
    slept: list[float] = []
    container.__dict__["deliverer"] = Deliverer(container.integration_store, container.settings,
                                                sleep=slept.append)
    return container, slept


def test_retries_back_off_exponentially_then_dead_letter(delivery: tuple[Container, list[float]]) -> None:
    container, slept = delivery
    with Receiver(fail_first=100) as hook:
        container.integration_store.save_settings(NotificationSettings(scope_id="u1",
                                                                       slack_webhook_url=f"{hook.base_url}/h"))
        assert container.deliverer.deliver(_job()) is False
    assert hook.attempts == 4 and slept == [0.5, 1.0, 2.0]
    [letter] = container.integration_store.dead_letters()
    assert (letter.attempts, letter.error, letter.message) == (4, "HTTP 500", {"text": "hello"})


def test_a_client_error_or_a_refused_url_is_not_retried(delivery: tuple[Container, list[float]]) -> None:
    container, slept = delivery
    with Receiver(status=404) as hook:
        container.integration_store.save_settings(NotificationSettings(scope_id="u1",
                                                                       slack_webhook_url=f"{hook.base_url}/h"))
        assert container.deliverer.deliver(_job()) is False
        assert hook.attempts == 1
    container.settings.notify_allow_loopback = False
    container.integration_store.save_settings(NotificationSettings(scope_id="u2",
                                                                   slack_webhook_url="http://127.0.0.1:9/h"))
    assert container.deliverer.deliver(_job("u2")) is False
    assert slept == []
    errors = [d.error for d in container.integration_store.dead_letters()]
    assert errors[0].startswith("refused:") and errors[1] == "HTTP 404"
    assert container.deliverer.deliver(_job("nobody")) is False  # no settings: a dead letter, not an exception


def test_a_slack_bot_token_posts_to_chat_post_message(delivery: tuple[Container, list[float]]) -> None:
    container, _ = delivery
    with Receiver(reply={"ok": True}) as slack:
        container.settings.slack_api_url = f"{slack.base_url}/api"
        container.integration_store.save_settings(NotificationSettings(
            scope_id="u1", slack_bot_token="xoxb-test-token", slack_channel="#incidents"))
        assert container.deliverer.deliver(_job()) is True
        [sent] = slack.wait_for(1)
    assert sent["path"] == "/api/chat.postMessage" and sent["headers"]["authorization"] == "Bearer xoxb-test-token"
    assert sent["json"] == {"channel": "#incidents", "text": "hello"}
    with Receiver(reply={"ok": False, "error": "channel_not_found"}) as slack:  # Slack's Web API: 200, ok false
        container.settings.slack_api_url = f"{slack.base_url}/api"
        assert container.deliverer.deliver(_job()) is False
    assert slack.attempts == 1 and container.integration_store.dead_letters()[0].error == \
        "Slack error channel_not_found"


def test_the_webhook_rate_limit_counts_per_integration(any_container: Container) -> None:
    limit = WebhookRateLimit(any_container.throttle_store, limit=3, window_seconds=60)
    for _ in range(3):
        limit.admit("int_a")
    with pytest.raises(RateLimited) as refused:
        limit.admit("int_a")
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60
    limit.admit("int_b")  # another integration has its own budget


def test_the_cloud_queues_jobs_and_the_notify_worker_delivers_them(aws_container: Container) -> None:
    import boto3

    from faultmaven.integrations.notifier import sqs_dispatch
    from functions.integrations import notify_handler

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="fm-notify")["QueueUrl"]
    settings = aws_container.settings.model_copy(update={"notify_queue_url": url})
    sqs_dispatch(settings)(_job())
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert NotificationJob.model_validate_json(message["Body"]) == _job()

    delivered: list[NotificationJob] = []
    aws_container.__dict__["deliverer"] = type("Recorder", (), {"deliver": staticmethod(delivered.append)})()
    event = {"Records": [{"messageId": "m1", "body": message["Body"]}, {"messageId": "m2", "body": "not json"}]}
    result = notify_handler.handler(event, _LambdaContext())
    assert delivered == [_job()] and result == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert "secret" not in json.dumps(message["Body"]).lower()


class _LambdaContext:
    function_name = "faultmaven-test-notify"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:faultmaven-test-notify"
    aws_request_id = "req-1"


def test_only_cases_opened_by_alerts_notify_their_progress(container: Container) -> None:
    from faultmaven.cases.lifecycle import CaseState
    from faultmaven.integrations.notifier import Notifier

    queued: list[NotificationJob] = []
    container.__dict__["notifier"] = Notifier(container.integration_store, container.sanitizer,
                                              "http://fm.example/dashboard/", queued.append)
    container.integration_store.save_settings(NotificationSettings(scope_id="u1",
                                                                   slack_webhook_url="https://hooks.slack.com/x"))
    cases = container.case_service
    typed = cases.create("u1", title="typed by hand")
    cases.update("u1", typed.case_id, state=CaseState.INVESTIGATING)
    assert queued == []
    alerted = cases.create("u1", title="HighErrorRate", source="alert")
    cases.update("u1", alerted.case_id, title="HighErrorRate on checkout")  # no state or stage change
    assert queued == []
    cases.update("u1", alerted.case_id, state=CaseState.INVESTIGATING)
    cases.update("u1", alerted.case_id, state=CaseState.RESOLVED)
    assert [(j.event, j.channel, j.case_id) for j in queued] == [("stage", "slack", alerted.case_id),
                                                                 ("resolved", "slack", alerted.case_id)]
    assert queued[0].message["blocks"][2]["elements"][0]["url"] == f"http://fm.example/dashboard/#/cases/" \
                                                                   f"{alerted.case_id}"


def test_an_alert_case_shared_with_a_team_tells_the_teams_channels_too(container: Container) -> None:
    from faultmaven.cases.lifecycle import CaseState
    from faultmaven.integrations.notifier import Notifier
    from faultmaven.ports.integrations import team_scope
    from faultmaven.teams.model import CaseShare

    queued: list[NotificationJob] = []
    container.__dict__["notifier"] = Notifier(container.integration_store, container.sanitizer,
                                              "http://fm.example/dashboard/", queued.append)
    for scope in ("u1", team_scope("team_a")):
        container.integration_store.save_settings(NotificationSettings(scope_id=scope,
                                                                       slack_webhook_url="https://hooks.slack.com/x"))
    cases = container.case_service
    alerted = cases.create("u1", title="HighErrorRate", source="alert")
    for team in ("team_a", "team_b"):  # team B has no channels set: nothing is sent for it
        container.team_repo.put_share(CaseShare(case_id=alerted.case_id, team_id=team, owner_id="u1", org_id="o",
                                                shared_by="u1", created_at=alerted.created_at))
    cases.update("u1", alerted.case_id, state=CaseState.INVESTIGATING)
    assert sorted((j.scope_id, j.event) for j in queued) == [("team:team_a", "stage"), ("u1", "stage")]
