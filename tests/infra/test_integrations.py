"""The integrations in the cloud: webhooks on their own function without the JWT authorizer, admin routes with it,
and notifications through SQS with a dead-letter queue and an alarm on it."""

from __future__ import annotations

from aws_cdk.assertions import Match, Template

from infra_cdk.constructs.notifications import MAX_RECEIVES
from tests.infra.test_functions import _dynamo_access, _function, _statements


def _routes(template: Template) -> dict[str, dict]:
    return {r["Properties"]["RouteKey"]: r["Properties"]
            for r in template.find_resources("AWS::ApiGatewayV2::Route").values()}


def _target(template: Template, route: dict) -> str:
    integration = template.find_resources("AWS::ApiGatewayV2::Integration")[route["Target"]["Fn::Join"][1][1]["Ref"]]
    return integration["Properties"]["IntegrationUri"]["Fn::GetAtt"][0]


def test_webhooks_skip_the_authorizer_and_admin_routes_keep_it(template: Template) -> None:
    routes = _routes(template)
    assert routes["POST /api/v1/webhooks/{proxy+}"]["AuthorizationType"] == "NONE"
    for key in ("ANY /api/v1/admin/integrations", "ANY /api/v1/admin/integrations/{proxy+}",
                "ANY /api/v1/admin/notifications/{proxy+}", "ANY /api/v1/admin/dead-letters"):
        assert routes[key]["AuthorizationType"] == "JWT", key
    integrations_id, _ = _function(template, "integrations")
    assert _target(template, routes["POST /api/v1/webhooks/{proxy+}"]) == integrations_id
    assert not any(key.startswith("GET /api/v1/webhooks") or key.startswith("ANY /api/v1/webhooks")
                   for key in routes)


def test_notifications_go_through_a_queue_with_a_dead_letter_queue_and_an_alarm(template: Template) -> None:
    queues = template.find_resources("AWS::SQS::Queue")
    by_name = {q["Properties"]["QueueName"]: (logical_id, q["Properties"]) for logical_id, q in queues.items()}
    dlq_id, _ = by_name["faultmaven-dev-notify-dlq"]
    queue_id, queue = by_name["faultmaven-dev-notify"]
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                                      "maxReceiveCount": MAX_RECEIVES}
    assert all(q["Properties"]["SqsManagedSseEnabled"] for q in queues.values())
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "ApproximateNumberOfMessagesVisible", "Namespace": "AWS/SQS",
        "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}],
        "Threshold": 1, "AlarmActions": Match.any_value()})

    notify_id, notify = _function(template, "notify")
    assert notify["Handler"] == "functions.integrations.notify_handler.handler"
    template.has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]}, "FunctionName": {"Ref": notify_id},
        "FunctionResponseTypes": ["ReportBatchItemFailures"]})
    for producer in ("integrations", "cases", "copilot", "turn-worker"):  # alerts open cases; turns move them on
        _, props = _function(template, producer)
        assert props["Environment"]["Variables"]["FM_NOTIFY_QUEUE_URL"] == {"Ref": queue_id}
        sends = [s for s in _statements(template, producer) if "sqs:SendMessage" in s["Action"]]
        assert {"Fn::GetAtt": [queue_id, "Arn"]} in [s["Resource"] for s in sends]
        assert "dynamodb:GetItem" in _dynamo_access(template, producer)["integrations"]
    for other in ("notify", "meta", "auth", "knowledge", "evidence"):
        assert not any("sqs:SendMessage" in s["Action"] for s in _statements(template, other)), other


def test_the_notify_worker_reaches_only_the_integrations_table(template: Template) -> None:
    assert set(_dynamo_access(template, "notify")) == {"integrations"}
    _, notify = _function(template, "notify")
    assert "FM_JWT_PUBLIC_KEY_SECRET_ARN" not in notify["Environment"]["Variables"]
