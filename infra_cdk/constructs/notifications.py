"""Outbound notifications in the cloud: the functions that open or move cases (integrations, cases, copilot) queue
each message on SQS, the notify function
delivers it (retries with backoff, a dead-letter record when it gives up). A message the worker cannot handle at all
is retried by SQS and then lands in a dead-letter queue, whose alarm tells the operators."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra_cdk.constructs.alarms import Alarms

MAX_RECEIVES = 5


class Notifications(Construct):
    def __init__(self, scope: Construct, id: str, *, prefix: str, alarms: Alarms, worker_timeout_s: int) -> None:
        super().__init__(scope, id)
        self.dead_letters = sqs.Queue(self, "DeadLetters", queue_name=f"{prefix}-notify-dlq",
                                      retention_period=Duration.days(14), enforce_ssl=True,
                                      encryption=sqs.QueueEncryption.SQS_MANAGED)
        # Visibility of six worker timeouts, as Lambda's SQS guidance says, so a slow delivery is not run twice.
        self.queue = sqs.Queue(self, "Queue", queue_name=f"{prefix}-notify",
                               visibility_timeout=Duration.seconds(6 * worker_timeout_s), enforce_ssl=True,
                               encryption=sqs.QueueEncryption.SQS_MANAGED,
                               dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letters,
                                                                     max_receive_count=MAX_RECEIVES))
        alarms.alarm("NotifyDeadLetters", self.dead_letters.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(5), statistic="Maximum"), 1,
            "A notification message could not be handled and is in the dead-letter queue")

    def connect(self, producers: list[lambda_.Function], worker: lambda_.Function) -> None:
        """`producers` queue jobs (FM_NOTIFY_QUEUE_URL); `worker` consumes them, reporting failed items only."""
        for producer in producers:
            self.queue.grant_send_messages(producer)
            producer.add_environment("FM_NOTIFY_QUEUE_URL", self.queue.queue_url)
        worker.add_event_source(sources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True))
