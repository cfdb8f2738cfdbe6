"""The turn queue: the copilot function sends, the worker consumes (SQS event source), timeouts nest, dead letters
are alarmed."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from faultmaven.settings import Settings
from infra_cdk.catalog import TURN_WORKER
from infra_cdk.constructs.turn_queue import MAX_RECEIVES
from tests.infra.test_functions import _function, _statements


def _queues(template: Template) -> dict[str, dict[str, Any]]:
    return {q["Properties"]["QueueName"]: {"id": i, **q["Properties"]}
            for i, q in template.find_resources("AWS::SQS::Queue").items()}


def test_the_worker_consumes_the_queue_one_turn_at_a_time(template: Template) -> None:
    queue = _queues(template)["faultmaven-dev-turns"]
    worker_id, worker = _function(template, TURN_WORKER.name)
    assert worker["Handler"] == "functions.copilot.worker_handler.handler"
    template.has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "EventSourceArn": {"Fn::GetAtt": [queue["id"], "Arn"]}, "FunctionName": {"Ref": worker_id},
        "BatchSize": 1, "FunctionResponseTypes": ["ReportBatchItemFailures"]})


def test_timeouts_nest_model_worker_visibility(template: Template) -> None:
    _, worker = _function(template, TURN_WORKER.name)
    env = worker["Environment"]["Variables"]
    model_s = float(env["FM_LLM_TIMEOUT_SECONDS"]) * (int(env["FM_LLM_MAX_RETRIES"]) + 1)
    visibility = _queues(template)["faultmaven-dev-turns"]["VisibilityTimeout"]
    assert model_s < worker["Timeout"] < visibility
    _, copilot = _function(template, "copilot")
    # The copilot function waits for its turn at most FM_TURN_SYNC_SECONDS, then answers 202; API Gateway stops at 30.
    assert Settings().turn_sync_seconds < copilot["Timeout"] < 30
    expiry = int(copilot["Environment"]["Variables"]["FM_TURN_JOB_EXPIRY_SECONDS"])
    assert expiry >= visibility * MAX_RECEIVES  # a job is called lost only once the queue has given up on it


def test_dead_letters_are_kept_and_alarmed(template: Template) -> None:
    queues = _queues(template)
    dead = queues["faultmaven-dev-turns-dlq"]
    assert queues["faultmaven-dev-turns"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead["id"], "Arn"]}, "maxReceiveCount": MAX_RECEIVES}
    assert dead["MessageRetentionPeriod"] == 14 * 86400
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "ApproximateNumberOfMessagesVisible", "Namespace": "AWS/SQS", "Threshold": 1,
        "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead["id"], "QueueName"]}}],
        "AlarmActions": Match.any_value()})


def test_only_the_copilot_function_sends_turns(template: Template) -> None:
    queue_id = _queues(template)["faultmaven-dev-turns"]["id"]
    _, copilot = _function(template, "copilot")
    assert copilot["Environment"]["Variables"]["FM_TURN_QUEUE_URL"] == {"Ref": queue_id}
    sends = [s for s in _statements(template, "copilot") if "sqs:SendMessage" in s["Action"]]
    assert {"Fn::GetAtt": [queue_id, "Arn"]} in [s["Resource"] for s in sends]
    for other in ("cases", "turn-worker"):  # they may queue notifications, never turns
        assert not any(s["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]} for s in _statements(template, other)
                       if "sqs:SendMessage" in s["Action"]), other
